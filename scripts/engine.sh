#!/usr/bin/env bash
# Make sure a Docker engine with BuildKit and the buildx plugin answers.
#
# Idempotent: when `docker info` and `docker buildx version` already answer,
# it does nothing. On a Linux host without an engine (a bare workshop VM, CI,
# these course machines) it installs Docker from Debian packages and starts
# dockerd in the background, because such machines have no init system.
#
#   scripts/engine.sh          ensure the engine is up
#   scripts/engine.sh stop     stop the engine this script started
#   scripts/engine.sh status   say whether it answers
set -euo pipefail

STATE_DIR=${STAGELAB_ENGINE_STATE:-/var/lib/stagelab}
PID_FILE=$STATE_DIR/dockerd.pid
LOG_FILE=$STATE_DIR/dockerd.log
SOCKET=/var/run/docker.sock

say() { printf 'engine: %s\n' "$*" >&2; }

engine_answers() {
  docker info >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1
}

stop_engine() {
  if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    local pid; pid=$(cat "$PID_FILE")
    say "stopping dockerd (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$PID_FILE"
  else
    say "no engine started by stagelab is running"
  fi
}

case "${1:-up}" in
  stop) stop_engine; exit 0 ;;
  status) if engine_answers; then say "up"; exit 0; else say "not answering"; exit 1; fi ;;
  up) ;;
  *) echo "usage: $0 [up|stop|status]" >&2; exit 2 ;;
esac

if engine_answers; then
  say "already up ($(docker version --format '{{.Server.Version}}' 2>/dev/null), buildx $(docker buildx version | awk '{print $2}'))"
  exit 0
fi
if docker info >/dev/null 2>&1; then
  # An engine runs (maybe not ours) but has no buildx: never start a second dockerd.
  if [[ $(uname -s) == Linux && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "the engine runs but the buildx plugin is missing: installing the engine's packages"
    bash "$(dirname "$0")/host-tools.sh" install --upgrade engine || true
  fi
  if engine_answers; then say "up, with buildx $(docker buildx version | awk '{print $2}')"; exit 0; fi
  say "WARNING: the engine runs without the buildx plugin. Builds fall back to the classic builder (no heredocs, no RUN --mount, no skipped stages). Install buildx: https://docs.docker.com/build/"
  exit 0
fi

if [[ $(uname -s) != Linux ]]; then
  say "no Docker engine answers. On macOS or Windows install Docker Desktop (https://docs.docker.com/desktop/), start it, and run this again."
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  if docker info 2>&1 | grep -qi 'permission denied'; then
    say "the engine runs but your user may not use its socket. Run: sudo usermod -aG docker $USER  (then log in again)"
  else
    say "no Docker engine answers and installing one needs root. Either run this as root (sudo make ...), or install Docker Engine with the buildx plugin (https://docs.docker.com/engine/install/) and start it."
  fi
  exit 1
fi

# Which docker.io is good enough: Debian 12's 20.10 has an old BuildKit that
# cannot parse heredocs and ships no buildx plugin, so on bookworm the engine's
# packages come from Debian 13 (scripts/host-tools.sh pins that source low and
# names the release per package, so libc6 and containerd stay at bookworm's).
install_engine() {
  if ! command -v apt-get >/dev/null; then
    say "this Linux has no apt-get. Install Docker Engine with the buildx plugin from https://docs.docker.com/engine/install/ and start it."
    exit 1
  fi
  bash "$(dirname "$0")/host-tools.sh" install --upgrade engine
}

have_good_dockerd() {
  command -v dockerd >/dev/null || return 1
  local major; major=$(dockerd --version | sed -E 's/^Docker version ([0-9]+).*/\1/')
  [[ $major -ge 23 ]] && [[ -x /usr/libexec/docker/cli-plugins/docker-buildx || -x /usr/local/lib/docker/cli-plugins/docker-buildx || -x /usr/lib/docker/cli-plugins/docker-buildx ]]
}

have_good_dockerd || install_engine

mkdir -p "$STATE_DIR"
if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  say "dockerd (pid $(cat "$PID_FILE")) is starting; waiting for it"
else
  # A stale socket or pid file from a killed engine makes dockerd refuse to start.
  rm -f "$SOCKET" /var/run/docker.pid
  say "starting dockerd (log: $LOG_FILE)"
  nohup setsid dockerd --host "unix://$SOCKET" --storage-driver overlay2 >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
fi

for _ in $(seq 1 120); do
  if engine_answers; then
    say "up ($(docker version --format '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'))"
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    say "dockerd exited while starting. Last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2
    exit 1
  fi
  sleep 0.5
done
say "dockerd did not answer within 60 s. Last lines of $LOG_FILE:"
tail -n 20 "$LOG_FILE" >&2
exit 1
