#!/bin/sh
# The engine container's main process (under docker-init, which forwards signals here).
# Starts the authorization plugin, then dockerd, then seeds the course's base images once
# in the background, and stops dockerd cleanly on SIGTERM.
set -eu
LIB=/usr/local/lib/stagelab-engine
mkdir -p /run/docker/plugins

python3 "$LIB/authz.py" /run/docker/plugins/stagelab-authz.sock 2>>/var/log/authz.log &
AUTHZ=$!
for _ in $(seq 100); do [ -S /run/docker/plugins/stagelab-authz.sock ] && break; sleep 0.05; done

# Our cgroup namespace is private (the spawner asks for it), so dockerd's cgroups nest under
# this container's: everything the learner builds or runs counts against its limits.
LIMITS=$(sh "$LIB/build-cgroup.sh" 2>>/var/log/build-cgroup.log || true)
dockerd $LIMITS ${STAGELAB_ENGINE_ARGS:-} >/var/log/dockerd.log 2>&1 &
DOCKERD=$!
trap 'kill -TERM "$DOCKERD" 2>/dev/null; wait "$DOCKERD"; kill "$AUTHZ" 2>/dev/null; exit 0' TERM INT

sh "$LIB/seed.sh" >/var/log/seed.log 2>&1 &
wait "$DOCKERD"
