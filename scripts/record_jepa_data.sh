#!/usr/bin/env bash
# VLA-JEPA training data (docs/vla_jepa.md), 64 px, both cameras upright, frames every 8th step (rendering is most
# of the recording CPU; the model needs frames at chunk starts and 16 steps ahead).
# - Demonstrations (stages 1 + 2): oracle rollouts of libero_spatial and libero_object from FRESH placements (LIBERO's
#   own placement samplers seeded by the episode seed, never one of the 50 fixed init states), in rounds of ROUND
#   trials over all 10 tasks so that a recording cut short still covers every task.
# - Action-free video (stage 1 only) from scenes the action head never trains on: libero_goal, libero_10 and
#   libero_90 (the oracle drives their pick-and-place goals and refuses the others: those are logged, not kept), plain
#   (fresh placements) and re-rendered under the native light, background and camera perturbations (levels 1, 3, 5
#   for libero_goal, 3 for libero_90's even-numbered tasks; fixed init states of those suites).
# Two recorder processes run in parallel (one per core, one env each). `record` skips every episode its dataset's
# log already holds, so an interrupted run is resumed by running this again.
# Usage: scripts/record_jepa_data.sh [ROUNDS] [ROUND]   (default 11 x 5 = 55 trials per task)
set -euo pipefail
ROUNDS=${1:-11}; ROUND=${2:-5}
CLI=${CLI:-.venv/bin/python -m vla_harness.cli}
REC="nice -n 10 $CLI record --policy oracle --size 64 --frame-every 8 --quiet"
PERTURB="--keep all -B perturb=light,background,camera -B share_level0=false"
demos() {  # suite, seed, out
  for ((r = 0; r < ROUNDS; r++)); do
    $REC -B placements=fresh --bench "$1" --tasks 0-9 --first-trial $((r * ROUND)) --trials "$ROUND" --seed "$2" \
      --out "$3"
  done
}
video_a() {
  $REC --keep all -B placements=fresh --bench libero_goal --tasks 0-9 --trials 3 --seed 3103 --out data/jepa2_video_goal
  $REC $PERTURB -B levels=1,3,5 --bench libero_goal --tasks 0-9 --trials 1 --seed 3106 \
    --out data/jepa2_video_goal_perturbed
}
video_b() {
  $REC --keep all -B placements=fresh --bench libero_10 --tasks 0-9 --trials 2 --seed 3104 --out data/jepa2_video_10
  $REC --keep all -B placements=fresh --bench libero_90 --tasks 0-89 --trials 1 --seed 3105 --out data/jepa2_video_90
  $REC $PERTURB -B levels=3 --bench libero_90 --tasks "$(seq -s, 0 2 88)" --trials 1 --seed 3107 \
    --out data/jepa2_video_90_perturbed
}
topup() {  # libero_spatial task 0: the oracle solved 49 of its 55 fresh placements; 3 more trials give 52
  $REC -B placements=fresh --bench libero_spatial --tasks 0 --first-trial $((ROUNDS * ROUND)) --trials 3 --seed 3101 \
    --out data/jepa2_spatial
}
(demos libero_spatial 3101 data/jepa2_spatial && topup && video_a) &
A=$!
(demos libero_object 3102 data/jepa2_object && video_b) &
B=$!
wait $A $B
