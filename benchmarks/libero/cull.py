"""One MuJoCo camera image drawn with only the meshes that can reach its pixels: bit-identical to `mjr_render` of all.

On llvmpipe a render costs per triangle (most for those on screen), not per pixel; LIBERO has ~300k. `mjr_render`
(MuJoCo 3.3, src/render/render_gl3.c) draws every geom of the scene, then draws it all again mirrored in the one
reflective box or plane (LIBERO's stove top, table...) behind a stencil of that face. A mesh whose bounding box
is outside the camera's view frustum, and whose mirror image is outside the frustum through the reflective face,
produces no fragment in either pass; turning it into a no-op geom (mjGEOM_NONE: draws nothing, changes no state
the next geom relies on) leaves every sample of the frame as it was. When the reflective face covers a small part
of the image, two renders are cheaper: the whole frame without the reflection pass (equal outside the face's
stencil), and the pixels near the face with the reflection pass and only the meshes that reach them.

What stays exact: triangles are rasterised independently and blended in scene order (kept); the transparent sort
is stable; the reflective geom and every non-mesh geom are always kept; lights that cast shadows, segmentation,
stereo, orthographic cameras and scene transforms fall back to one full render. The skybox is left out only where
`sky.py` proves opaque boxes and planes hide it.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from vla_harness.benchmarks.libero.sky import SkyCheck

MARGIN_M = 1e-3  # mesh bounds grow by this much (and 0.1 %) against float32 rounding
MASK_PX = 1.0  # pixels whose centre is this close to the reflective face come from the reflection render...
FRUSTUM_PX = 3.0  # ...which draws every mesh this close to the face: more than a pixel's half diagonal beyond
EXTRA_RENDER_TRIS = 20_000  # a second render's fixed cost (clear, skybox, read-back: ~10 ms), in triangles, roughly
_CAT_ALL, _RND = mujoco.mjtCatBit.mjCAT_ALL, mujoco.mjtRndFlag
_PLANE, _BOX, _MESH, _NONE = (int(t) for t in (mujoco.mjtGeom.mjGEOM_PLANE, mujoco.mjtGeom.mjGEOM_BOX,
                                               mujoco.mjtGeom.mjGEOM_MESH, mujoco.mjtGeom.mjGEOM_NONE))


@dataclass(frozen=True)
class MeshBounds:
    """Per mesh of a model, in its frame: the box around its vertices, a sphere around them, its triangle count."""

    center: np.ndarray
    half: np.ndarray
    radius: np.ndarray
    tris: np.ndarray

    @classmethod
    def of(cls, model) -> MeshBounds:
        center, half, radius = np.zeros((model.nmesh, 3)), np.zeros((model.nmesh, 3)), np.zeros(model.nmesh)
        for i in range(model.nmesh):
            adr, num = model.mesh_vertadr[i], model.mesh_vertnum[i]
            vert = np.asarray(model.mesh_vert[adr:adr + num], dtype=np.float64)
            if num:
                center[i], half[i] = (vert.min(0) + vert.max(0)) / 2, (vert.max(0) - vert.min(0)) / 2
                radius[i] = np.sqrt(((vert - center[i]) ** 2).sum(1).max())
        return cls(center, half, radius, np.asarray(model.mesh_facenum, dtype=np.int64))


@dataclass(frozen=True)
class View:
    """The camera `mjr_render` draws with (mjv_averageCamera + setView + mjr_lookAt), in float64."""

    eye: np.ndarray
    side: np.ndarray
    up: np.ndarray
    forward: np.ndarray
    near: float
    far: float
    bounds: tuple[float, float, float, float]  # left, right, bottom, top at the near plane
    width: int
    height: int

    @classmethod
    def of(cls, scn, width: int, height: int) -> View | None:
        c0, c1 = scn.camera
        if c0.orthographic or c1.orthographic or scn.stereo or scn.enabletransform:
            return None
        forward = _unit(np.add(c0.forward, c1.forward, dtype=np.float64))
        up = np.add(c0.up, c1.up, dtype=np.float64)
        side = _unit(np.cross(forward, _unit(up - up.dot(forward) * forward)))
        bottom, top = (c0.frustum_bottom + c1.frustum_bottom) / 2, (c0.frustum_top + c1.frustum_top) / 2
        center, width_ = (c0.frustum_center + c1.frustum_center) / 2, (c0.frustum_width + c1.frustum_width) / 2
        half = width_ if width_ else 0.5 * width / height * (top - bottom)
        return cls(np.add(c0.pos, c1.pos, dtype=np.float64) / 2, side, _unit(np.cross(side, forward)), forward,
                   (c0.frustum_near + c1.frustum_near) / 2, (c0.frustum_far + c1.frustum_far) / 2,
                   (center - half, center + half, bottom, top), width, height)

    def planes(self, halfplanes: np.ndarray) -> np.ndarray:
        """Inward world planes (unit normal, offset) of the frustum through the window-space half-planes
        a*x + b*y + c >= 0 (x, y in pixels from the bottom left), with the near and far planes."""
        left, right, bottom, top = self.bounds
        sx, sy = self.width * self.near / (right - left), self.height * self.near / (top - bottom)
        planes = []
        for a, b, c in halfplanes:
            normal = _unit(a * sx * self.side + b * sy * self.up
                           + (c - a * self.width * left / (right - left)
                              - b * self.height * bottom / (top - bottom)) * self.forward)
            planes.append(np.append(normal, -normal @ self.eye))
        f = self.forward
        planes += [np.append(f, -f @ self.eye - self.near), np.append(-f, f @ self.eye + self.far)]
        return np.asarray(planes)

    def image_halfplanes(self, slack: float = 1.0) -> np.ndarray:
        w, h = self.width + slack, self.height + slack
        return np.asarray([(1, 0, slack), (-1, 0, w), (0, 1, slack), (0, -1, h)], dtype=np.float64)

    def window(self, points: np.ndarray) -> np.ndarray | None:
        """Window (x, y) of world points, or None when one is not in front of the near plane."""
        rel = points - self.eye
        depth = rel @ self.forward
        if (depth < self.near).any():
            return None
        left, right, bottom, top = self.bounds
        x = self.width * (self.near * (rel @ self.side) / depth - left) / (right - left)
        y = self.height * (self.near * (rel @ self.up) / depth - bottom) / (top - bottom)
        return np.stack([x, y], axis=1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


@dataclass(frozen=True)
class Mirror:
    """The one reflective face mjr_render mirrors the scene in: a plane (point, unit normal) and, for a box, the
    corners of its Z+ side (the only area the reflection can show in)."""

    point: np.ndarray
    normal: np.ndarray
    corners: np.ndarray | None

    def reflect(self, points: np.ndarray) -> np.ndarray:
        return points - 2 * ((points - self.point) @ self.normal)[:, None] * self.normal


class Unsure(Exception):
    """The camera is too close to a reflective plane to tell which side mjr_render sees: render everything."""


def _behind(eye: np.ndarray, point: np.ndarray, normal: np.ndarray) -> bool:
    side = float((eye - point) @ normal)
    if abs(side) < 1e-5:
        raise Unsure
    return side < 0


def mirror_of(geoms, ngeom: int, eye: np.ndarray) -> Mirror | None:
    """mjr_render's reflective geom (the first opaque plane or box with reflectance), None when it shows nothing."""
    for i in range(ngeom):
        g = geoms[i]
        if g.type not in (_PLANE, _BOX) or not g.reflectance > 0:
            continue
        axes, pos = np.asarray(g.mat, dtype=np.float64).reshape(3, 3), np.asarray(g.pos, dtype=np.float64)
        if float(g.rgba[3]) < 0.995 or (g.type == _PLANE and _behind(eye, pos, axes[:, 2])):
            continue  # transparent: not reflective
        if g.type == _PLANE:
            return Mirror(pos, axes[:, 2], None)
        top = pos + g.size[2] * axes[:, 2]
        if _behind(eye, top, axes[:, 2]):
            return None
        dx, dy = g.size[0] * axes[:, 0], g.size[1] * axes[:, 1]
        return Mirror(top, axes[:, 2], np.asarray([top + sx * dx + sy * dy for sx in (-1, 1) for sy in (-1, 1)]))
    return None


@dataclass(frozen=True)
class Meshes:
    """The scene's mesh geoms: scene index, world box (centre, axes as columns, half sizes) and sphere, triangles."""

    index: np.ndarray
    center: np.ndarray
    axes: np.ndarray
    half: np.ndarray
    radius: np.ndarray
    tris: np.ndarray

    @classmethod
    def of(cls, geoms, ngeom: int, bounds: MeshBounds) -> Meshes:
        index = np.asarray([i for i in range(ngeom) if geoms[i].type == _MESH and geoms[i].dataid >= 0], dtype=int)
        mesh = np.asarray([geoms[i].dataid // 2 for i in index], dtype=int)
        axes = np.asarray([geoms[i].mat for i in index], dtype=np.float64).reshape(-1, 3, 3)
        pos = np.asarray([geoms[i].pos for i in index], dtype=np.float64).reshape(-1, 3)
        center = pos + np.einsum("kij,kj->ki", axes, bounds.center[mesh])
        return cls(index, center, axes, bounds.half[mesh], bounds.radius[mesh], bounds.tris[mesh])

    def reach(self, normals: np.ndarray) -> np.ndarray:
        """How far each mesh can reach along each unit normal from its centre: (meshes, normals)."""
        box = np.abs(np.einsum("nj,kji->kni", normals, self.axes)) @ self.half[:, :, None]
        return np.minimum(box[..., 0], self.radius[:, None]) * 1.001 + MARGIN_M

    def touch(self, planes: np.ndarray) -> np.ndarray:
        """Which meshes may reach inside all the planes (conservative: never False for one that does)."""
        dist = self.center @ planes[:, :3].T + planes[:, 3]
        return (dist >= -self.reach(planes[:, :3])).all(axis=1)

    def mirrored(self, mirror: Mirror) -> Meshes:
        flip = np.eye(3) - 2 * np.outer(mirror.normal, mirror.normal)
        return Meshes(self.index, mirror.reflect(self.center), flip @ self.axes, self.half, self.radius, self.tris)

    def above(self, mirror: Mirror) -> np.ndarray:
        """Which meshes may reach the mirror's front side (what is behind it is clipped from the reflection)."""
        dist = (self.center - mirror.point) @ mirror.normal
        return dist >= -self.reach(mirror.normal[None])[:, 0]


def face_halfplanes(view: View, mirror: Mirror) -> np.ndarray | None:
    """Window half-planes (a, b, c: a*x + b*y + c >= 0, unit (a, b)) bounding the reflective face's image; None when
    it is unbounded or reaches behind the camera."""
    corners = None if mirror.corners is None else view.window(mirror.corners[[0, 1, 3, 2]])
    if corners is None:
        return None
    centre, lines = corners.mean(axis=0), []
    for p, q in zip(corners, np.roll(corners, -1, axis=0)):
        edge = q - p
        if np.hypot(*edge) < 1e-9:
            continue
        normal = np.array([-edge[1], edge[0]]) / np.hypot(*edge)
        inside = normal @ (centre - p)
        if abs(inside) > 1e-9:  # an edge seen end-on bounds nothing for sure
            normal = normal if inside > 0 else -normal
            lines.append((normal[0], normal[1], -normal @ p))
    return np.asarray(lines, dtype=np.float64).reshape(-1, 3)


def pixel_mask(halfplanes: np.ndarray, width: int, height: int, grow: float) -> np.ndarray:
    """Pixels (rows from the bottom) whose centre is inside the half-planes pushed out by `grow` pixels."""
    x, y = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    mask = np.ones((height, width), dtype=bool)
    for a, b, c in halfplanes:
        mask &= a * x + b * y + c + grow >= 0
    return mask


@dataclass(frozen=True)
class Pass:
    """One mjr_render: the scene geoms made no-ops, the reflection flag, the pixels it supplies (None: all)."""

    drop: np.ndarray
    reflection: bool
    mask: np.ndarray | None = None


def plan(scn, bounds: MeshBounds, width: int, height: int) -> list[Pass] | None:
    """The cheapest exact way to draw this scene, None when only drawing all of it is sure to be exact."""
    view = View.of(scn, width, height)
    shadows = scn.flags[_RND.mjRND_SHADOW] and any(scn.lights[i].castshadow for i in range(scn.nlight))
    if view is None or shadows or scn.flags[_RND.mjRND_SEGMENT]:
        return None
    meshes = Meshes.of(scn.geoms, scn.ngeom, bounds)
    seen = meshes.touch(view.planes(view.image_halfplanes()))
    try:
        mirror = mirror_of(scn.geoms, scn.ngeom, view.eye) if scn.flags[_RND.mjRND_REFLECTION] else None
    except Unsure:
        return None
    face = None if mirror is None else face_halfplanes(view, mirror)
    mask = None if face is None else pixel_mask(face, width, height, MASK_PX)
    if mirror is None or (mask is not None and not mask.any()):  # no reflection pass, or one that shows nothing
        return [Pass(meshes.index[~seen], reflection=False)]
    planes = view.planes(view.image_halfplanes() if face is None else face + [0.0, 0.0, FRUSTUM_PX])
    mirrored = meshes.above(mirror) & meshes.mirrored(mirror).touch(planes)
    single = [Pass(meshes.index[~(seen | mirrored)], reflection=True)]
    if face is None:
        return single
    near_face = meshes.touch(planes) | mirrored
    two = [Pass(meshes.index[~seen], reflection=False), Pass(meshes.index[~near_face], reflection=True, mask=mask)]
    cost_two = meshes.tris[seen].sum() + 2 * meshes.tris[near_face].sum() + EXTRA_RENDER_TRIS
    return two if cost_two < 2 * meshes.tris[seen | mirrored].sum() else single


def draw(ctx, camera_id: int, width: int, height: int, bounds: MeshBounds, sky: SkyCheck) -> np.ndarray:
    """`ctx.render` + `ctx.read_pixels` of robosuite's MjRenderContext, drawing only what reaches the pixels."""
    model, data, scn = ctx.model._model, ctx.data._data, ctx.scn
    ctx.cam.type, ctx.cam.fixedcamid = mujoco.mjtCamera.mjCAMERA_FIXED, camera_id
    viewport = mujoco.MjrRect(0, 0, width, height)
    mujoco.mjv_updateScene(model, data, ctx.vopt, ctx.pert, ctx.cam, _CAT_ALL, scn)
    passes = plan(scn, bounds, width, height)
    if passes is None:
        mujoco.mjr_render(viewport, scn, ctx.con)
        return ctx.read_pixels(width, height)
    flags = {f: scn.flags[f] for f in (_RND.mjRND_REFLECTION, _RND.mjRND_SKYBOX)}
    skybox = flags[_RND.mjRND_SKYBOX] and not sky.hidden(scn, View.of(scn, width, height))
    image = None
    for k, step in enumerate(passes):
        if k:
            mujoco.mjv_updateScene(model, data, ctx.vopt, ctx.pert, ctx.cam, _CAT_ALL, scn)
        for i in step.drop:
            scn.geoms[i].type = _NONE
        scn.flags[_RND.mjRND_REFLECTION], scn.flags[_RND.mjRND_SKYBOX] = step.reflection, skybox
        try:
            mujoco.mjr_render(viewport, scn, ctx.con)
        finally:
            for flag, value in flags.items():
                scn.flags[flag] = value
        pixels = ctx.read_pixels(width, height)
        if step.mask is None:
            image = pixels
        else:
            image[step.mask] = pixels[step.mask]
    return image
