#!/usr/bin/env bash
# Build the course website into _build/html (or $1 after the options), as `make book` does, and say how long it took.
#
#   scripts/build_book.sh                 # render the outputs stored in the notebooks (no engine, no network)
#   scripts/build_book.sh --record        # first re-run every chapter against the real engine and store its
#                                         # outputs in the notebooks (needs `make engine images`), then build
#   scripts/build_book.sh --record notebooks/02-multi-stage.ipynb   # re-record one chapter only
#
# Recording rewrites the notebooks in place: review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
[ -x "$BIN/sphinx-build" ] || { echo "build_book: run 'make setup' first (no $BIN/sphinx-build)." >&2; exit 2; }

record=0
chapters=()
while [ $# -gt 0 ]; do
  case "$1" in
    --record) record=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *.ipynb) chapters+=("$1") ;;
    *) echo "build_book: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$record" = 1 ]; then
  [ ${#chapters[@]} -gt 0 ] || chapters=(notebooks/*.ipynb)
  "$BIN/stagelab" doctor >/dev/null || { echo "build_book: the engine or the images are not ready; run 'make engine images'." >&2; exit 2; }
  for chapter in "${chapters[@]}"; do
    echo "recording $chapter"
    start=$(date +%s)
    # One chapter at a time: the machine's build slots are shared with whoever else uses the engine.
    "$BIN/jupyter" nbconvert --to notebook --execute --inplace \
      --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=python3 "$chapter"
    echo "  done in $(( $(date +%s) - start )) s"
  done
fi

TIMEFORMAT='book built in %1R s: open _build/html/index.html'
time "$BIN/sphinx-build" -W -n --keep-going -b html -c book . _build/html
