#!/usr/bin/env bash
# VLA-JEPA training data (docs/vla_jepa.md): oracle demonstrations from FRESH placements (LIBERO's own placement
# samplers seeded by the episode seed, never one of the 50 fixed init states), 64 px, both cameras upright.
# libero_spatial and libero_object are recorded by two recorder processes in parallel (one per core, disjoint
# suites); each suite in rounds of ROUND trials over all 10 tasks, so a recording cut short still covers every task.
# Phase 0 (frames every 4th step) is what the first session recorded before switching to frames every 8th step
# (rendering is ~90% of the recording CPU; the model needs frames only at chunk starts and 16 steps ahead).
# Usage: scripts/record_jepa_data.sh [ROUNDS] [ROUND] [VIDEO_TRIALS] [VIDEO10_TRIALS]; rounds start at trial 5 and
# extend the folders. The shipped checkpoints' data: ROUNDS=9 ROUND=2 VIDEO_TRIALS=2 VIDEO10_TRIALS=1 (docs/vla_jepa.md).
set -euo pipefail
ROUNDS=${1:-9}; ROUND=${2:-2}; VIDEO_TRIALS=${3:-2}; VIDEO10_TRIALS=${4:-1}
CLI=${CLI:-.venv/bin/python -m vla_harness.cli}
REC="nice -n 10 $CLI record --policy oracle -B placements=fresh --size 64 --quiet"
phase0() {  # suite, seed, out, then "tasks:trials" pairs
  local bench=$1 seed=$2 out=$3; shift 3
  [ -e "$out/record_log.jsonl" ] && return 0
  for pair in "$@"; do
    $REC --frame-every 4 --bench "$bench" --tasks "${pair%:*}" --trials "${pair#*:}" --seed "$seed" --out "$out"
  done
}
rounds() {  # suite, seed, out
  for ((r = 0; r < ROUNDS; r++)); do
    $REC --frame-every 8 --bench "$1" --tasks 0-9 --first-trial $((5 + r * ROUND)) --trials "$ROUND" --seed "$2" --out "$3"
  done
}
(phase0 libero_spatial 1701 data/jepa_spatial_fresh 0:5 1:3 && rounds libero_spatial 1701 data/jepa_spatial_fresh) &
A=$!
(phase0 libero_object 1702 data/jepa_object_fresh 0-1:5 2:2 && rounds libero_object 1702 data/jepa_object_fresh) &
B=$!
wait $A $B
# action-free video for stage 1 only: oracle rollouts of libero_goal and libero_10 (other scenes), every episode kept
if [ "$VIDEO_TRIALS" -gt 0 ]; then
  $REC --frame-every 8 --bench libero_goal --tasks 0-9 --trials "$VIDEO_TRIALS" --keep all --seed 1703 \
    --out data/jepa_video_goal
fi
if [ "$VIDEO10_TRIALS" -gt 0 ]; then
  $REC --frame-every 8 --bench libero_10 --tasks 0-9 --trials "$VIDEO10_TRIALS" --keep all --seed 1704 \
    --out data/jepa_video_10
fi
