"""openpi's LIBERO convention as data (Physical-Intelligence/openpi@15a9616a examples/libero/main.py): what its client
sends, for `--policy openpi` (policies/clients/openpi.py) and for `vla-harness serve` (policies/wire/openpi_wire.py)."""

from __future__ import annotations

from vla_harness.harness.conventions import (
    LIBERO_OSC_POSE,
    UPRIGHT,
    BenchConventions,
    CameraRole,
    StateEntry,
    StateVector,
)
from vla_harness.policies.wire.libero_inputs import STATE8, conventions

# openpi's LIBERO element keys (examples/libero/main.py) and the harness roles they are filled from.
IMAGE_KEYS = {"observation/image": "primary", "observation/wrist_image": "wrist"}
STATE_KEY = "observation/state"
STATE_QUANTITIES = STATE8.quantities  # the 8-d state every official LIBERO loop builds, under openpi's key
CONVENTIONS = conventions(StateVector(STATE_KEY, STATE_QUANTITIES))
# What an unmodified openpi LIBERO client sends (`vla-harness serve` accepts it): its element as an env would offer
# it. Images arrive upright (already rotated by the client) at its resize size; the LIBERO simulator names are aliases.
WIRE = BenchConventions(
    cameras=(CameraRole("primary", "observation/image", UPRIGHT, aliases=("agentview",)),
             CameraRole("wrist", "observation/wrist_image", UPRIGHT, aliases=("robot0_eye_in_hand", "eye_in_hand"))),
    state=(StateEntry(STATE_KEY, STATE_QUANTITIES),),
    action=LIBERO_OSC_POSE)
WIRE_NAME = "openpi-libero"
