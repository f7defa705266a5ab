#!/usr/bin/env bash
# VLA-JEPA training data (docs/vla_jepa.md), 64 px, both cameras upright, frames every 8th step (rendering is ~90%
# of the recording CPU; the model needs frames at chunk starts and 16 steps ahead).
# - Demonstrations (stages 1 + 2): oracle rollouts of libero_spatial and libero_object from FRESH placements (LIBERO's
#   own placement samplers seeded by the episode seed, never one of the 50 fixed init states), in rounds of ROUND
#   trials over all 10 tasks so that a recording cut short still covers every task.
# - Action-free video (stage 1 only) from scenes the action head never trains on: libero_goal, libero_10 and
#   libero_90 (the oracle drives their pick-and-place goals and refuses the others: those are logged, not kept), plain
#   and re-rendered under the native light, background and camera perturbations (fixed init states of those suites).
# Two recorder processes run in parallel (one per core, one env each). Every step leaves a marker, so a re-run skips
# what is done (a step cut short is re-run whole: delete its partial episodes first, or accept duplicates).
# Usage: scripts/record_jepa_data.sh [ROUNDS] [ROUND]   (default 11 x 5 = 55 trials per task)
set -euo pipefail
ROUNDS=${1:-11}; ROUND=${2:-5}
CLI=${CLI:-.venv/bin/python -m cli}
REC="nice -n 10 $CLI record --policy oracle --size 64 --frame-every 8 --quiet"
PERTURB="-B perturb=light,background,camera -B share_level0=false"
step() {  # out, marker name, then the record arguments: skipped when the marker exists
  local out=$1 mark=$2; shift 2
  [ -e "$out/.done_$mark" ] && return 0
  $REC --out "$out" "$@"
  touch "$out/.done_$mark"
}
demos() {  # suite, seed, out
  for ((r = 0; r < ROUNDS; r++)); do
    step "$3" "round$r" -B placements=fresh --bench "$1" --tasks 0-9 --first-trial $((r * ROUND)) --trials "$ROUND" \
      --seed "$2"
  done
}
video_a() {
  step data/jepa2_video_goal plain --keep all -B placements=fresh --bench libero_goal --tasks 0-9 --trials 3 --seed 3103
  step data/jepa2_video_goal_perturbed levels135 --keep all $PERTURB -B levels=1,3,5 --bench libero_goal --tasks 0-9 \
    --trials 2 --seed 3106
}
video_b() {
  step data/jepa2_video_10 plain --keep all -B placements=fresh --bench libero_10 --tasks 0-9 --trials 2 --seed 3104
  step data/jepa2_video_90 plain --keep all -B placements=fresh --bench libero_90 --tasks 0-89 --trials 1 --seed 3105
  step data/jepa2_video_90_perturbed level3 --keep all $PERTURB -B levels=3 --bench libero_90 --tasks 0-89 --trials 1 \
    --seed 3107
  step data/jepa2_video_10_perturbed level3 --keep all $PERTURB -B levels=3 --bench libero_10 --tasks 0-9 --trials 1 \
    --seed 3108
}
(demos libero_spatial 3101 data/jepa2_spatial && video_a) &
A=$!
(demos libero_object 3102 data/jepa2_object && video_b) &
B=$!
wait $A $B
