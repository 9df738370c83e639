#!/usr/bin/env bash
# Install the host packages Stagelab needs, from one list: scripts/host-packages.txt.
#
#   scripts/host-tools.sh install [--upgrade] ROLE...   install what is missing (root + apt)
#   scripts/host-tools.sh simulate ROLE...              `apt-get install --simulate` of the very same
#                                                       lines, sources and pins (the pristine-root test)
#   scripts/host-tools.sh check ROLE...                 name each program of these roles not on PATH
#   scripts/host-tools.sh packages ROLE...              print the apt arguments install would use
#
# Roles: setup (make lab and make test), engine (scripts/engine.sh), browser (make test).
# On Debian 12 (bookworm) the engine's packages come from Debian 13 (trixie) through an
# apt source pinned at priority 100, named per package (docker.io/trixie), so libc6 and
# everything else stays at bookworm's.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
LIST=$HERE/host-packages.txt
TRIXIE_SOURCE=/etc/apt/sources.list.d/stagelab-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/stagelab-trixie

say() { printf 'host-tools: %s\n' "$*" >&2; }

codename() { ( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}" ) || true; }

# Rows of the list for the given roles: "package programs".
rows() {
  local roles=" $* "
  grep -vE '^\s*(#|$)' "$LIST" | while read -r role package programs _; do
    if [[ $roles == *" $role "* ]]; then printf '%s %s\n' "$package" "$programs"; fi
  done
}

# apt arguments: docker.io@trixie becomes docker.io/trixie on bookworm, docker.io elsewhere.
apt_args() {
  local suffix=""
  [[ $(codename) == bookworm ]] && suffix=/trixie
  rows "$@" | while read -r package _; do
    if [[ $package == *@trixie ]]; then printf '%s%s\n' "${package%@trixie}" "$suffix"; else printf '%s\n' "$package"; fi
  done
}

needs_trixie_source() { [[ $(codename) == bookworm && $(rows "$@") == *@trixie* ]]; }

add_trixie_source() {
  [[ -f $TRIXIE_SOURCE ]] && return 0
  say "adding a Debian 13 (trixie) apt source with pin priority 100 (for the engine's packages only)"
  local mirror
  mirror=$(grep -hoE '^URIs:\s*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [[ -z $mirror ]] && mirror=$(grep -hoE '^deb\s+(\[[^]]*\]\s+)?\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $NF}' | grep -v security | head -n1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" >"$TRIXIE_SOURCE"
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$TRIXIE_PIN"
}

missing_programs() {
  rows "$@" | while read -r _ programs; do
    [[ $programs == - ]] && continue
    for program in ${programs//,/ }; do
      if ! command -v "$program" >/dev/null 2>&1; then printf '%s\n' "$program"; fi
    done
  done
}

missing_packages() {
  apt_args "$@" | while read -r arg; do
    local package=${arg%/*}
    if [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true) != "install ok installed" ]]; then printf '%s\n' "$arg"; fi
  done
}

can_apt() { [[ $(uname -s) == Linux && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }

action=${1:-}; shift || true
upgrade=0
if [[ ${1:-} == --upgrade ]]; then upgrade=1; shift; fi
[[ $# -gt 0 ]] || { echo "usage: $0 install [--upgrade]|simulate|check|packages ROLE..." >&2; exit 2; }
for role in "$@"; do
  grep -qE "^$role\s" "$LIST" || { echo "host-tools: unknown role '$role' (see $LIST)" >&2; exit 2; }
done

case $action in
  packages) apt_args "$@" ;;
  check)
    missing=$(missing_programs "$@")
    if [[ -n $missing ]]; then say "missing on this host: $(echo $missing)"; exit 1; fi
    say "every program of: $* is on PATH" ;;
  simulate)
    can_apt || { say "simulate needs root and apt-get"; exit 2; }
    needs_trixie_source "$@" && add_trixie_source
    apt-get update -qq
    # shellcheck disable=SC2046
    DEBIAN_FRONTEND=noninteractive apt-get install --simulate -y --no-install-recommends $(apt_args "$@") ;;
  install)
    if ! command -v dpkg-query >/dev/null 2>&1 || [[ $(uname -s) != Linux ]]; then
      missing=$(missing_programs "$@")
      [[ -z $missing ]] && exit 0
      say "not a Debian/Ubuntu host: install these yourself: $(echo $missing)"; exit 1
    fi
    if [[ $upgrade -eq 1 ]]; then todo=$(apt_args "$@"); else todo=$(missing_packages "$@"); fi
    [[ -z $todo ]] && exit 0
    if ! can_apt; then
      say "these packages are missing and installing them needs root: $(echo $todo)"
      say "run: sudo apt-get install $(echo $todo)   (or run make as root)"
      exit 1
    fi
    needs_trixie_source "$@" && add_trixie_source
    say "installing $(echo $todo) (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $todo >/dev/null
    missing=$(missing_programs "$@")
    if [[ -n $missing ]]; then say "installed, but still not on PATH: $(echo $missing)"; exit 1; fi ;;
  *) echo "usage: $0 install [--upgrade]|simulate|check|packages ROLE..." >&2; exit 2 ;;
esac
