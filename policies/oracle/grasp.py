"""Choosing a grasp: candidate grasp points and hand yaws, scored by how much of the hand's way down hits obstacles.

At yaw 0 the Panda's fingers close along world y (its start pose in LIBERO); yaw turns the hand about the vertical.
Sizes below were measured on LIBERO's Panda: the fingertips end 1.3 cm below the eef site, the palm starts 2.5 cm
above it and spans about 21 x 7 cm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_WIDTH = 0.06  # widest object the open fingers straddle with some margin (pads 6.3 cm apart)
# (half span along the finger axis, half thickness across it, z from, z to) relative to the eef site
SWEEP = ((0.055, 0.015, -0.013, 0.025), (0.105, 0.035, 0.025, 0.15))
OFFSETS = (0.0, -0.01, 0.01, -0.02, 0.02, -0.03, 0.03)  # along the object, across the fingers
RIM_INSET = 0.012  # the rim point sits this far inside the bowl's outer edge


@dataclass(frozen=True)
class Grasp:
    offset: np.ndarray  # grasp point minus the object's box centre, in the horizontal plane (world frame)
    yaw: float
    rim: bool = False


def _axes(yaw: float) -> tuple[np.ndarray, np.ndarray]:
    """(finger axis, across axis) in the horizontal plane."""
    return np.array([-np.sin(yaw), np.cos(yaw)]), np.array([np.cos(yaw), np.sin(yaw)])


def _sweep_points(point: np.ndarray, yaw: float) -> np.ndarray:
    finger, across = _axes(yaw)
    pts = []
    for along, thick, z0, z1 in SWEEP:
        a, c, z = np.meshgrid(np.linspace(-along, along, 9), np.linspace(-thick, thick, 3), np.linspace(z0, z1, 5),
                              indexing="ij")
        xy = point[:2] + a.reshape(-1, 1) * finger + c.reshape(-1, 1) * across
        pts.append(np.column_stack([xy, point[2] + z.ravel()]))
    return np.concatenate(pts)


def blocked(point: np.ndarray, yaw: float, obstacles: dict | None) -> float:
    """Fraction of the space the open hand occupies at `point` that lies inside obstacle boxes."""
    if not obstacles or not len(obstacles["center"]):
        return 0.0
    pts = _sweep_points(np.asarray(point, dtype=float), yaw)
    local = np.einsum("gji,gpj->gpi", obstacles["rot"], pts[None] - obstacles["center"][:, None])
    return float(np.all(np.abs(local) <= obstacles["half"][:, None], axis=2).any(axis=0).mean())


def widths(corners: np.ndarray, yaws: np.ndarray) -> np.ndarray:
    """Object width along the finger axis for each yaw."""
    fingers = np.stack([-np.sin(yaws), np.cos(yaws)], axis=1)
    proj = np.asarray(corners)[:, :2] @ fingers.T
    return proj.max(axis=0) - proj.min(axis=0)


def rim_candidates(half: np.ndarray) -> list[Grasp]:
    radius = min(half[0], half[1]) - RIM_INSET
    return [Grasp(np.array([0.0, -radius]), 0.0, True), Grasp(np.array([0.0, radius]), 0.0, True),
            Grasp(np.array([-radius, 0.0]), np.pi / 2, True), Grasp(np.array([radius, 0.0]), np.pi / 2, True)]


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
    """Least blocked; ties go to small turns and offsets, then to the side away from `away` (the target)."""
    def cost(g: Grasp) -> tuple[float, float]:
        return (round(blocked(point_of(g), g.yaw, obstacles), 2),
                abs(g.yaw) + 2.0 * float(np.linalg.norm(g.offset) if not g.rim else 0.0) - 0.01 * float(g.offset @ away))

    return min(candidates, key=cost)
