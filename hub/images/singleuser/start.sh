#!/bin/sh
# First start: copy the course into the learner's home volume; later starts keep their work.
set -eu
if [ ! -e "$HOME/course/.stagelab-course" ]; then
  mkdir -p "$HOME/course"
  cp -a /opt/stagelab-course/. "$HOME/course/"
  touch "$HOME/course/.stagelab-course"
fi
cd "$HOME/course"
exec jupyterhub-singleuser --ServerApp.root_dir="$HOME/course" "$@"
