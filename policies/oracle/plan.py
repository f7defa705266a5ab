"""Pick-and-place geometry for the oracle: where to grasp, how high to carry, where to let go.

Inputs are the privileged state of `benchmarks/libero/privileged.py` (world frame, metres).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIM_OBJECTS = ("bowl",)  # grasped by the rim: a bowl is wider than the gripper opens
FINGER_DEPTH = 0.03  # how far below an object's top the fingertips close
RIM_DEPTH = 0.02
CLEARANCE = 0.08  # eef height above the grasp point before descending
CARRY_MARGIN = 0.07  # object bottom above the highest of start/target during the carry
PLACE_GAP = 0.015  # object bottom above the target's top when letting go (On)


@dataclass(frozen=True)
class Geometry:
    top: float
    bottom: float
    center: np.ndarray  # box centre (x, y, z)
    half: np.ndarray  # box half sizes

    @staticmethod
    def of(aabb: np.ndarray) -> "Geometry":
        lo, hi = np.asarray(aabb[0], dtype=float), np.asarray(aabb[1], dtype=float)
        return Geometry(top=float(hi[2]), bottom=float(lo[2]), center=(lo + hi) / 2, half=(hi - lo) / 2)


def is_rim_object(name: str) -> bool:
    return any(word in name for word in RIM_OBJECTS)


def grasp_point(state: dict) -> np.ndarray:
    """Where the fingertips close: the rim (along the finger axis, world y) for bowls, else below the top."""
    obj = Geometry.of(state["object_aabb"])
    if is_rim_object(state["object"]):
        radius = min(obj.half[0], obj.half[1])
        side = 1.0 if state["object_pos"][1] <= state["target_pos"][1] else -1.0
        # The rim on the far side from the target keeps the bowl body between gripper and target.
        return np.array([obj.center[0], obj.center[1] - side * (radius - 0.012), obj.top - RIM_DEPTH])
    z = max(obj.top - FINGER_DEPTH, obj.bottom + 0.5 * (obj.top - obj.bottom) * 0.6)
    return np.array([obj.center[0], obj.center[1], z])


def carry_height(state: dict, hang: float, start_bottom: float) -> float:
    """Eef height for the carry: the object clears both the target and the surface it started on."""
    highest = max(Geometry.of(state["target_aabb"]).top, start_bottom)
    return highest + CARRY_MARGIN + hang


def place_point(state: dict, hang: float, offset_xy: np.ndarray) -> np.ndarray:
    """Eef position at release: object centred over the target, bottom just above it (On) or inside it (In)."""
    target = Geometry.of(state["target_aabb"])
    xy = np.asarray(state["target_pos"][:2], dtype=float) + offset_xy
    if state["relation"] == "in":
        bottom = target.bottom + 0.35 * (target.top - target.bottom)
    else:
        bottom = target.top + PLACE_GAP
    return np.array([xy[0], xy[1], bottom + hang])
