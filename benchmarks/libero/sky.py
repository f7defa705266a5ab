"""Whether `mjr_render`'s skybox (and haze) can show in an image: when not, a render may skip it (~9 ms on llvmpipe).

The skybox is drawn after the opaque geoms, `frustum_far * 0.7` from the camera, with the depth test on: it is hidden
at every sample an opaque box or plane covers nearer than that. A pixel is covered when the rays through its four
corners all enter the same box (or plane rectangle): the rays that enter a convex body from outside form a convex
cone, so every ray of the pixel does, and the body's front faces are drawn there. Bodies too close to the camera
(which the near plane could cut) or reaching the skybox are not used.
"""

from __future__ import annotations

import numpy as np

_SKY = 0.7 * 0.99  # mjr_render's skybox distance in frustum_far, with a margin
_CACHE_SIZE = 32


def bodies(geoms, ngeom: int, eye: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The opaque boxes and finite planes mjr_render draws from the front: (centre, axes as columns, half sizes)."""
    out = []
    for i in range(ngeom):
        g = geoms[i]
        if g.type not in (0, 6) or float(g.rgba[3]) < 0.995:  # plane, box; transparent ones are blended
            continue
        axes, pos = np.asarray(g.mat, dtype=np.float64).reshape(3, 3), np.asarray(g.pos, dtype=np.float64)
        half = np.array([g.size[0], g.size[1], g.size[2] if g.type == 6 else 0.0], dtype=np.float64)
        if g.type == 0 and (half[0] <= 0 or half[1] <= 0 or (eye - pos) @ axes[:, 2] <= 0):
            continue  # an infinite plane, or one seen from behind (drawn transparent)
        out.append((pos, axes, half))
    return out


def _usable(body, view) -> bool:
    pos, axes, half = body
    local = axes.T @ (view.eye - pos)
    nearest = np.linalg.norm(local - np.clip(local, -half, half))
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) * half
    farthest = np.linalg.norm(corners - local, axis=1).max()
    left, right, bottom, top = view.bounds
    widest = np.linalg.norm([max(-left, right), max(-bottom, top), view.near])
    return nearest * view.near / widest > view.near * 1.001 and farthest < _SKY * view.far


def _hits(body, eye: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Which rays eye + t * dirs (t > 0) enter the body (slab test in its frame)."""
    pos, axes, half = body
    origin, d = axes.T @ (eye - pos), dirs @ axes
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (-half - origin) / d, (half - origin) / d
    inside = np.abs(origin) <= half
    lo = np.where(d == 0, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2)).max(axis=-1)
    hi = np.where(d == 0, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2)).min(axis=-1)
    return (lo <= hi) & (lo > 0)


def _rays(view, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Directions through window points (pixels from the bottom left), on the grid xs x ys: (len(ys), len(xs), 3)."""
    left, right, bottom, top = view.bounds
    x = left + xs / view.width * (right - left)
    y = bottom + ys / view.height * (top - bottom)
    return (view.forward * view.near + x[None, :, None] * view.side + y[:, None, None] * view.up)


class SkyCheck:
    """Answers per image; the per-pixel answer (tens of ms) is kept for views seen before, e.g. fixed cameras."""

    def __init__(self) -> None:
        self._known: dict[bytes, bool] = {}
        self._seen: set[bytes] = set()

    def hidden(self, scn, view) -> bool:
        found = [b for b in bodies(scn.geoms, scn.ngeom, view.eye) if _usable(b, view)]
        corners = _rays(view, np.array([0.0, view.width]), np.array([0.0, view.height])).reshape(-1, 3)
        if any(_hits(b, view.eye, corners).all() for b in found):
            return True
        key = np.concatenate([view.eye, view.forward, view.up, view.bounds, [view.width, view.height]]
                             + [np.concatenate([p, a.ravel(), h]) for p, a, h in found]).tobytes()
        if key in self._known:
            return self._known[key]
        if key not in self._seen:  # a moving camera: not worth the per-pixel test
            self._seen = self._seen if len(self._seen) < _CACHE_SIZE else set()
            self._seen.add(key)
            return False
        grid = _rays(view, np.arange(view.width + 1.0), np.arange(view.height + 1.0))
        covered = np.zeros((view.height, view.width), dtype=bool)
        for body in found:
            hit = _hits(body, view.eye, grid)
            covered |= hit[:-1, :-1] & hit[1:, :-1] & hit[:-1, 1:] & hit[1:, 1:]
        self._known = self._known if len(self._known) < _CACHE_SIZE else {}
        self._known[key] = bool(covered.all())
        return self._known[key]
