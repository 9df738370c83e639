#!/bin/sh
# Seed this engine with the course's base images, once (a marker in /var/lib/docker, which is
# the learner's engine volume, makes warm starts skip it).
#   STAGELAB_SEED=kit        docker load the workshop kit mounted read-only at /kit/images.tar
#   STAGELAB_SEED=registry   pull STAGELAB_SEED_IMAGES from the hub's read-only registry
#                            STAGELAB_SEED_REGISTRY (host:port), then tag them with their upstream names
#   STAGELAB_SEED=none       nothing
set -u
MARKER=/var/lib/docker/.stagelab-seeded
for _ in $(seq 600); do docker info >/dev/null 2>&1 && break; sleep 0.1; done
[ -e "$MARKER" ] && { echo "already seeded"; exit 0; }
start=$(date +%s.%N)
case "${STAGELAB_SEED:-none}" in
  kit)
    docker load -q -i /kit/images.tar || exit 1 ;;
  registry)
    for ref in ${STAGELAB_SEED_IMAGES:-}; do
      docker pull -q "$STAGELAB_SEED_REGISTRY/$ref" >/dev/null || exit 1
      docker tag "$STAGELAB_SEED_REGISTRY/$ref" "$ref"
      docker rmi "$STAGELAB_SEED_REGISTRY/$ref" >/dev/null
    done ;;
esac
end=$(date +%s.%N)
echo "$start $end" > "$MARKER"
echo "seeded (${STAGELAB_SEED:-none}) in $(echo "$end - $start" | bc 2>/dev/null || echo "$start..$end")"
