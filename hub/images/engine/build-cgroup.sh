#!/bin/sh
# Makes the cgroup every build step and container of this engine runs under (dockerd's
# --cgroup-parent, which BuildKit's RUN steps follow too), with the course's build budget:
# a fork bomb or a memory hog stops there, and dockerd itself, outside it, keeps answering.
# Prints the dockerd arguments that use it; prints nothing where cgroups cannot be written.
# STAGELAB_BUILD_PROCESSES / _MEMORY_MB / _CPUS come from the hub (stagelab.engine.workshop).
set -eu
NAME=stagelab-builds
PROCESSES=${STAGELAB_BUILD_PROCESSES:-2048}
MEMORY=$(( ${STAGELAB_BUILD_MEMORY_MB:-2048} * 1024 * 1024 ))
QUOTA=$(awk -v c="${STAGELAB_BUILD_CPUS:-1}" 'BEGIN { printf "%d", c * 100000 }')
ROOT=/sys/fs/cgroup

if [ -f "$ROOT/cgroup.controllers" ]; then
  # cgroup v2: a cgroup with processes cannot hand controllers to children, so this container's
  # own processes move to a leaf first (as docker-in-docker does).
  mkdir -p "$ROOT/init"
  xargs -rn1 < "$ROOT/cgroup.procs" > "$ROOT/init/cgroup.procs" 2>/dev/null || true
  echo "+pids +memory +cpu" > "$ROOT/cgroup.subtree_control"
  mkdir -p "$ROOT/$NAME"
  echo "+pids +memory +cpu" > "$ROOT/$NAME/cgroup.subtree_control"
  echo "$PROCESSES" > "$ROOT/$NAME/pids.max"
  echo "$MEMORY" > "$ROOT/$NAME/memory.max"
  echo 0 > "$ROOT/$NAME/memory.swap.max" 2>/dev/null || true
  echo "$QUOTA 100000" > "$ROOT/$NAME/cpu.max"
else
  for controller in pids memory cpu; do
    [ -d "$ROOT/$controller" ] || { echo "no $controller cgroup controller: builds run without limits" >&2; exit 0; }
    mkdir -p "$ROOT/$controller/$NAME"
  done
  echo "$PROCESSES" > "$ROOT/pids/$NAME/pids.max"
  echo "$MEMORY" > "$ROOT/memory/$NAME/memory.limit_in_bytes"
  echo "$MEMORY" > "$ROOT/memory/$NAME/memory.memsw.limit_in_bytes" 2>/dev/null || true
  echo 100000 > "$ROOT/cpu/$NAME/cpu.cfs_period_us"
  echo "$QUOTA" > "$ROOT/cpu/$NAME/cpu.cfs_quota_us"
fi
echo "--cgroup-parent=/$NAME --label org.stagelab.build-limits=processes=$PROCESSES,memory_mb=${STAGELAB_BUILD_MEMORY_MB:-2048},cpus=${STAGELAB_BUILD_CPUS:-1}"
