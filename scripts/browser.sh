#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it).
#
# Playwright cannot download its own browsers on machines like these, so the tests
# use /usr/bin/chromium. Idempotent: when Chromium is there, it does nothing.
# As root on Debian/Ubuntu it installs the `chromium` package with apt; otherwise it
# prints what to do. The browser tests skip, saying why, when Chromium is missing.
#
#   scripts/browser.sh          ensure Chromium is installed
#   scripts/browser.sh status   say whether it is
set -euo pipefail

CHROMIUM=${STAGELAB_CHROMIUM:-/usr/bin/chromium}

say() { printf 'browser: %s\n' "$*" >&2; }

installed() { [[ -x $CHROMIUM ]] && "$CHROMIUM" --version >/dev/null 2>&1; }

if [[ ${1:-} == status ]]; then
  if installed; then say "$("$CHROMIUM" --version 2>/dev/null) at $CHROMIUM"; exit 0; fi
  say "Chromium is not installed at $CHROMIUM"; exit 1
fi

if installed; then
  say "$("$CHROMIUM" --version 2>/dev/null) is installed at $CHROMIUM"
  exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  say "Chromium is missing at $CHROMIUM and this script can only install it as root on Debian/Ubuntu."
  say "Install it yourself (e.g. 'sudo apt-get install chromium'), or set STAGELAB_CHROMIUM to a Chromium/Chrome binary."
  say "Without it the browser tests are skipped (they say so); every other test still runs."
  exit 1
fi

bash "$(dirname "$0")/host-tools.sh" install browser
installed || { say "chromium installed but $CHROMIUM does not run"; exit 1; }
say "$("$CHROMIUM" --version 2>/dev/null) is installed at $CHROMIUM"
