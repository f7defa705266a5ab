"""Pick-and-place geometry for the oracle: where to grasp, how high to carry, where to let go.

Inputs are the privileged state of `benchmarks/libero/privileged.py` (world frame, metres).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_harness.policies.oracle import grasp

RIM_OBJECTS = ("bowl",)  # grasped by the rim: a bowl is wider than the gripper opens
FINGER_DEPTH = 0.03  # how far below an object's top the fingertips close
RIM_DEPTH = 0.02
FLOOR_CLEARANCE = 0.013  # fingertips end this far below the eef site
CLEARANCE = 0.08  # eef height above the grasp point before descending
CARRY_MARGIN = 0.07  # object bottom above the highest of start/target during the carry
PLACE_GAP = 0.015  # object bottom above the target's top when letting go (On)
CEILING_REACH = 0.1  # an obstacle whose underside is this close above the object's top is in the lift's way
PULL_MARGIN = 0.005
PULL_MAX = 0.08
PULL_DIRECTIONS = 16
_C45 = np.sqrt(0.5)
FOOTPRINT_AXES = (np.eye(3), np.array([[_C45, _C45, 0.0], [-_C45, _C45, 0.0], [0.0, 0.0, 1.0]]))


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


def choose_grasp(state: dict) -> grasp.Grasp:
    """The bowl's rim or the object's body, at the point and yaw with the freest way down for the hand."""
    obj = Geometry.of(state["object_aabb"])
    rim = is_rim_object(state["object"])
    candidates = grasp.rim_candidates(obj.half) if rim else grasp.body_candidates(state.get("object_corners"), obj.half)
    away = np.sign(np.asarray(state["object_pos"][:2]) - np.asarray(state["target_pos"][:2]))
    return grasp.choose(candidates, lambda g: grasp_point(state, g), state.get("obstacles"), away)


def grasp_point(state: dict, g: grasp.Grasp) -> np.ndarray:
    """Where the eef site goes to close the fingers: on the rim for bowls, else below the object's top."""
    obj = Geometry.of(state["object_aabb"])
    xy = obj.center[:2] + g.offset
    if g.rim:
        return np.array([xy[0], xy[1], obj.top - RIM_DEPTH])
    height = obj.top - obj.bottom
    z = max(obj.top - FINGER_DEPTH, obj.bottom + 0.3 * height, obj.bottom + FLOOR_CLEARANCE)
    return np.array([xy[0], xy[1], min(z, obj.top)])


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


def _ceilings(state: dict, obj: Geometry) -> dict | None:
    """Obstacle boxes wholly above the object's top and less than REACH above it: what a straight lift would hit."""
    obstacles = state.get("obstacles")
    if not obstacles or not len(obstacles["center"]):
        return None
    rot, half, center = (np.asarray(obstacles[k]) for k in ("rot", "half", "center"))
    low = center[:, 2] - np.einsum("nj,nj->n", np.abs(rot[:, 2, :]), half)
    keep = (low > obj.top - 0.002) & (low < obj.top + CEILING_REACH)
    return {"center": center[keep], "rot": rot[keep], "half": half[keep]} if keep.any() else None


def pull_out(state: dict) -> np.ndarray:
    """Horizontal move (x, y) that takes the grasped object from under an overhang (a cabinet's top over its open
    drawer) before the lift: the shortest move (1 cm steps up to PULL_MAX, PULL_DIRECTIONS directions) that clears
    it; zero when nothing is above the object or nothing within reach clears it."""
    obj = Geometry.of(state["object_aabb"])
    ceilings = _ceilings(state, obj)
    if ceilings is None:
        return np.zeros(2)
    r = float(min(obj.half[0], obj.half[1])) + PULL_MARGIN
    half = np.array([r, r, CEILING_REACH / 2])
    for dist in np.arange(0.0, PULL_MAX + 1e-9, 0.01):
        for phi in np.linspace(0.0, 2 * np.pi, PULL_DIRECTIONS, endpoint=False) if dist else [0.0]:
            shift = dist * np.array([np.cos(phi), np.sin(phi)])
            centre = np.array([*(obj.center[:2] + shift), obj.top + CEILING_REACH / 2])
            # The round footprint is inside both squares (turned 0 and 45 deg): free if either square is free.
            if any(not grasp.overlapping(centre, axes, half, ceilings).any() for axes in FOOTPRINT_AXES):
                return shift
    return np.zeros(2)
