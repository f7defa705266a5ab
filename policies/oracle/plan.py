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


# Rim grasps: (offset direction of the grasp point from the bowl centre, gripper yaw). The fingers close along
# world y at yaw 0, so a rim point offset along y is straddled at yaw 0 and one offset along x at yaw 90 degrees.
RIM_CHOICES = ((np.array([0.0, -1.0]), 0.0), (np.array([0.0, 1.0]), 0.0),
               (np.array([-1.0, 0.0]), np.pi / 2), (np.array([1.0, 0.0]), np.pi / 2))
FINGER_BOX = (0.055, 0.02, 0.15)  # half span along the finger axis, half thickness across, height above the tips


def _rim_point(state: dict, direction: np.ndarray) -> np.ndarray:
    obj = Geometry.of(state["object_aabb"])
    radius = min(obj.half[0], obj.half[1])
    xy = obj.center[:2] + direction * (radius - 0.012)
    return np.array([xy[0], xy[1], obj.top - RIM_DEPTH])


def _blocked(point: np.ndarray, yaw: float, obstacles: dict | None) -> float:
    """Fraction of the space the open fingers sweep while descending to `point` that lies inside obstacles."""
    if not obstacles or not len(obstacles["center"]):
        return 0.0
    along, across, height = FINGER_BOX
    a, c, z = np.meshgrid(np.linspace(-along, along, 9), np.linspace(-across, across, 3),
                          np.linspace(-0.005, height, 10), indexing="ij")
    dx, dy = (c, a) if yaw == 0.0 else (a, c)
    pts = np.stack([point[0] + dx.ravel(), point[1] + dy.ravel(), point[2] + z.ravel()], axis=1)
    local = np.einsum("gji,gpj->gpi", obstacles["rot"], pts[None] - obstacles["center"][:, None])
    inside = np.all(np.abs(local) <= obstacles["half"][:, None], axis=2).any(axis=0)
    return float(inside.mean())


def choose_grasp(state: dict) -> tuple[np.ndarray, float]:
    """(offset direction, yaw) of the grasp: the rim point with the freest descent for bowls, the centre otherwise."""
    if not is_rim_object(state["object"]):
        return np.zeros(2), 0.0
    away = np.sign(state["object_pos"][:2] - state["target_pos"][:2])

    def cost(choice) -> tuple[float, float]:
        direction, yaw = choice
        # Ties go to yaw 0 (no turn) on the side away from the target (the bowl leads the hand there).
        return (round(_blocked(_rim_point(state, direction), yaw, state.get("obstacles")), 2),
                yaw - 0.01 * float(direction @ away))

    return min(RIM_CHOICES, key=cost)


def grasp_point(state: dict, direction: np.ndarray) -> np.ndarray:
    """Where the fingertips close: on the rim in `direction` for bowls, else centred below the top."""
    if is_rim_object(state["object"]):
        return _rim_point(state, direction)
    obj = Geometry.of(state["object_aabb"])
    z = max(obj.top - FINGER_DEPTH, obj.bottom + 0.3 * (obj.top - obj.bottom))
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
