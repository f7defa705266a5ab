"""Choosing a grasp: candidate grasp points and hand yaws, scored by how much of the hand's way down hits obstacles.

At yaw 0 the Panda's fingers close along world y (its start pose in LIBERO); yaw turns the hand about the vertical.
Sizes below were measured on LIBERO's Panda: the fingertips end 1.3 cm below the eef site, the palm starts 2.5 cm
above it and spans about 21 x 7 cm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_WIDTH = 0.06  # widest object the open fingers straddle with some margin (pads 6.3 cm apart)
# (half span along the finger axis, half thickness across it, z from, z to) relative to the eef site at the grasp;
# the palm's column reaches above the approach point, so it covers the whole way down.
SWEEP = ((0.055, 0.015, -0.013, 0.025), (0.105, 0.035, 0.025, 0.26))
OFFSETS = (0.0, -0.01, 0.01, -0.02, 0.02, -0.03, 0.03)  # along the object, across the fingers
RIM_INSET = 0.012  # the rim point sits this far inside the bowl's outer edge
RIM_POINTS = 16


@dataclass(frozen=True)
class Grasp:
    offset: np.ndarray  # grasp point minus the object's box centre, in the horizontal plane (world frame)
    yaw: float
    rim: bool = False


def _axes(yaw: float) -> tuple[np.ndarray, np.ndarray]:
    """(finger axis, across axis) in the horizontal plane."""
    return np.array([-np.sin(yaw), np.cos(yaw)]), np.array([np.cos(yaw), np.sin(yaw)])


def _hand_boxes(point: np.ndarray, yaw: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(centre, axes as rows, half sizes) of the open fingers' and the palm's boxes with the eef site at `point`."""
    finger, across = _axes(yaw)
    axes = np.array([[across[0], across[1], 0.0], [finger[0], finger[1], 0.0], [0.0, 0.0, 1.0]])
    return [(np.asarray(point, dtype=float) + [0.0, 0.0, (z0 + z1) / 2], axes, np.array([thick, along, (z1 - z0) / 2]))
            for along, thick, z0, z1 in SWEEP]


def overlapping(center: np.ndarray, axes: np.ndarray, half: np.ndarray, obstacles: dict) -> np.ndarray:
    """Which obstacle boxes intersect the box (separating-axis test on the 15 axes of two oriented boxes)."""
    b_axes = np.transpose(obstacles["rot"], (0, 2, 1))  # rows: each box's local axes in the world frame
    a_axes = np.broadcast_to(axes, b_axes.shape)
    cross = np.cross(a_axes[:, :, None, :], b_axes[:, None, :, :]).reshape(-1, 9, 3)
    axis = np.concatenate([a_axes, b_axes, cross], axis=1)
    norm = np.linalg.norm(axis, axis=2, keepdims=True)
    axis = axis / np.where(norm > 1e-9, norm, 1.0)
    dist = np.abs(np.einsum("nlj,nj->nl", axis, obstacles["center"] - center))
    r_a = np.abs(np.einsum("nlj,nkj->nlk", axis, a_axes)) @ half
    r_b = np.einsum("nlk,nk->nl", np.abs(np.einsum("nlj,nkj->nlk", axis, b_axes)), obstacles["half"])
    separated = (dist > r_a + r_b) & (norm[..., 0] > 1e-9)
    return ~separated.any(axis=1)


def blocked(point: np.ndarray, yaw: float, obstacles: dict | None) -> float:
    """How many obstacle boxes the open fingers and palm would intersect, the eef site at `point`."""
    if not obstacles or not len(obstacles["center"]):
        return 0.0
    return float(sum(overlapping(c, a, h, obstacles).sum() for c, a, h in _hand_boxes(point, yaw)))


def widths(corners: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Object width along the finger axis for each yaw."""
    fingers = np.stack([-np.sin(yaws), np.cos(yaws)], axis=1)
    proj = np.asarray(corners)[:, :2] @ fingers.T
    return proj.max(axis=0) - proj.min(axis=0)


def rim_candidates(half: np.ndarray) -> list[Grasp]:
    """Points around the rim, the finger axis radial so the fingers straddle the wall (every 360/RIM_POINTS deg)."""
    radius = min(half[0], half[1]) - RIM_INSET
    out = []
    for k in range(RIM_POINTS):
        phi = -np.pi / 2 + 2 * np.pi * k / RIM_POINTS  # k = 0: the -y side, the hand in its start pose
        yaw = float(np.pi / 2 - (-phi) % np.pi)  # finger axis along the radius, yaw in (-90, 90] deg
        out.append(Grasp(radius * np.array([np.cos(phi), np.sin(phi)]), yaw, True))
    return out


def body_candidates(corners: np.ndarray | None, half: np.ndarray) -> list[Grasp]:
    """Yaws whose finger span fits the object, each with grasp points slid along the object."""
    yaws = np.linspace(-np.pi / 2, np.pi / 2, 24, endpoint=False)
    if corners is None or not len(corners):
        return [Grasp(np.zeros(2), 0.0)]
    w = widths(corners, yaws)
    fitting = yaws[w <= MAX_WIDTH] if np.any(w <= MAX_WIDTH) else yaws[[int(np.argmin(w))]]
    out = []
    for yaw in fitting:
        across = _axes(yaw)[1]
        length = widths(corners, np.array([yaw + np.pi / 2]))[0]
        out += [Grasp(s * across, float(yaw)) for s in OFFSETS if abs(s) <= max(0.0, length / 2 - 0.015)]
    return out


def choose(candidates: list[Grasp], point_of, obstacles: dict | None, away: np.ndarray) -> Grasp:
    """Fewest obstacles in the way; ties go to small turns and offsets, then to the side away from `away`."""
    def cost(g: Grasp) -> tuple[float, float]:
        slide = 0.0 if g.rim else float(np.linalg.norm(g.offset))
        return (blocked(point_of(g), g.yaw, obstacles), abs(g.yaw) + 2.0 * slide - 0.01 * float(g.offset @ away))

    return min(candidates, key=cost)
