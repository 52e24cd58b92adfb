#!/usr/bin/env bash
# Carries unfinished runs across a fresh clone, for machines whose only lasting storage is the
# repository (this project's own working sessions: a session may start from a new clone, and the
# run directories with their checkpoints are not committed).
#
#   scripts/carry-runs.sh pack     each unfinished run under experiments/runs/ and
#                                  experiments/zoo/runs/ (a checkpoint, no policy/) becomes
#                                  carry/<its path>.tar.xz: its config, metrics and newest
#                                  checkpoint; a finished run's archive is removed
#   scripts/carry-runs.sh unpack   each archive whose run is absent here, or stands at an older
#                                  checkpoint, is unpacked into place; then `experiment` or `zoo`
#                                  resumes it as usual
#
# A checkpoint holds the replay buffer (about 200 bytes an env step on Panda, 6 MB of weights and
# optimiser state besides), so an archive is tens of MB: xz -9 takes the buffer to a fifth.
# Demo sets are not carried: the experiment collects them again, deterministically.
set -euo pipefail
cd "$(dirname "$0")/.."
CARRY=carry

checkpoint_of() { # the newest checkpoint's name in run $1, or nothing
  [ -f "$1/checkpoints/latest" ] && tr -d '\n' < "$1/checkpoints/latest" || true
}

runs() { # every run directory (one with a config.json and a checkpoints/ folder)
  local homes=()
  for home in experiments/runs experiments/zoo/runs; do [ -d "$home" ] && homes+=("$home"); done
  [ ${#homes[@]} -gt 0 ] || return 0
  find "${homes[@]}" -mindepth 2 -maxdepth 2 -type d | sort | while read -r dir; do
    if [ -f "$dir/config.json" ] && [ -d "$dir/checkpoints" ]; then echo "$dir"; fi
  done
}

pack() {
  mkdir -p "$CARRY"
  runs | while read -r dir; do
    archive="$CARRY/$dir.tar.xz"
    step=$(checkpoint_of "$dir")
    if [ -d "$dir/policy" ] || [ -z "$step" ]; then
      rm -f "$archive" "$archive.step"
      continue
    fi
    if [ -f "$archive.step" ] && [ "$(cat "$archive.step")" = "$step" ]; then continue; fi
    mkdir -p "$(dirname "$archive")"
    files=("$dir/config.json" "$dir/checkpoints/latest" "$dir/checkpoints/$step")
    [ -f "$dir/metrics.jsonl" ] && files+=("$dir/metrics.jsonl")
    tar -cf - "${files[@]}" | xz -9 -T1 > "$archive.tmp"
    mv "$archive.tmp" "$archive"
    echo "$step" > "$archive.step"
    echo "packed $dir at $step ($(du -h "$archive" | cut -f1))"
  done
}

unpack() {
  [ -d "$CARRY" ] || { echo "no $CARRY/ folder: nothing to unpack"; return 0; }
  find "$CARRY" -name '*.tar.xz' | sort | while read -r archive; do
    dir=${archive#"$CARRY"/}
    dir=${dir%.tar.xz}
    want=$(cat "$archive.step")
    have=$(checkpoint_of "$dir")
    if [ -d "$dir/policy" ] || { [ -n "$have" ] && [[ ! "$have" < "$want" ]]; }; then
      echo "kept $dir (${have:-finished}, the archive is at $want)"
      continue
    fi
    rm -rf "$dir"
    xz -dc "$archive" | tar -xf -
    echo "unpacked $dir at $want"
  done
}

case "${1:-}" in
  pack) pack ;;
  unpack) unpack ;;
  *) echo "usage: $0 pack|unpack" >&2; exit 2 ;;
esac
