"""LIBERO camera images, drawn for less and bit-identical to robosuite's `sim.render`.

LIBERO hard-resets: every reset compiles a fresh MuJoCo model and robosuite builds a fresh render context for it,
which uploads ~190 MB of textures and every mesh again (~3 s on llvmpipe, per episode). The GL context and the
MuJoCo render context only hold what `mjr_makeContext` reads from the model (meshes, textures, materials, height
fields, skins, plane sizes, a few visual settings), so when the new model's copies of those are equal to the ones
the context was made from, the same context is handed to the new sim instead. Images are then drawn by `cull.py`.
"""

from __future__ import annotations

import numpy as np

from vla_harness.benchmarks.libero.cull import MeshBounds, draw
from vla_harness.benchmarks.libero.sky import SkyCheck

# What mjr_makeContext reads from the model (MuJoCo 3.3, src/render/render_context.c), and nothing more: fields
# such as mesh_polynormal differ between two compiles of the same XML.
_ASSET_ARRAYS = tuple(f"mesh_{n}" for n in ("vert", "vertadr", "vertnum", "normal", "normaladr", "normalnum",
                                             "texcoord", "texcoordadr", "texcoordnum", "face", "faceadr", "facenum",
                                             "facenormal", "facetexcoord", "graph", "graphadr")) + \
    tuple(f"tex_{n}" for n in ("type", "colorspace", "width", "height", "nchannel", "adr", "data")) + \
    ("mat_texid", "mat_texuniform", "mat_texrepeat", "hfield_size", "hfield_nrow", "hfield_ncol", "hfield_adr",
     "hfield_data", "skin_vertnum", "skin_texcoordadr", "skin_texcoord", "skin_faceadr", "skin_facenum", "skin_face",
     "geom_type", "geom_size", "geom_matid")
_VISUAL = {"quality": ("shadowsize", "offsamples", "numslices", "numstacks", "numquads"),
           "map": ("zfar", "shadowscale", "shadowclip", "haze", "fogstart", "fogend"),
           "rgba": ("fog", "haze"), "global_": ("offwidth", "offheight", "linewidth")}


def _visual(model) -> tuple:
    values = [np.asarray(getattr(getattr(model.vis, group), name)).tolist()
              for group, names in _VISUAL.items() for name in names]
    return (*values, float(model.stat.extent))


def same_render_assets(old, new) -> bool:
    """True when a render context made for `old` (a mujoco.MjModel) is exactly the one `new` would get."""
    if old is new:
        return True
    if _visual(old) != _visual(new):
        return False
    return all(np.array_equal(getattr(old, n), getattr(new, n)) for n in _ASSET_ARRAYS)


class SharedRenderContext:
    """One robosuite offscreen render context that follows the env's sim across hard resets."""

    def __init__(self) -> None:
        self.ctx = None
        self._sim = None
        self._bounds: MeshBounds | None = None
        self._sky = SkyCheck()

    def attach(self, env) -> None:
        """Give robosuite env `env`'s current sim a render context: the kept one when its assets still match."""
        sim = env.sim
        if sim is self._sim:
            return
        if self.ctx is not None and same_render_assets(self.ctx.model._model, sim.model._model):
            import mujoco

            self.ctx.sim, self.ctx.model, self.ctx.data = sim, sim.model, sim.data
            self.ctx.scn = mujoco.MjvScene(sim.model._model, maxgeom=self.ctx.scn.maxgeom)
            sim.add_render_context(self.ctx)
        else:
            from robosuite.utils.binding_utils import MjRenderContextOffscreen

            self.free()
            self.ctx = MjRenderContextOffscreen(sim, device_id=getattr(env, "render_gpu_device_id", -1))
            self._bounds = MeshBounds.of(sim.model._model)
        # what robosuite's _reset_internal sets on a new context
        self.ctx.vopt.geomgroup[0] = 1 if getattr(env, "render_collision_mesh", False) else 0
        self.ctx.vopt.geomgroup[1] = 1 if getattr(env, "render_visual_mesh", True) else 0
        self._sim = sim

    def render(self, env, camera: str, size: int) -> np.ndarray:
        """The camera's image as `sim.render` returns it (bottom row first)."""
        from robosuite.utils.binding_utils import _MjSim_render_lock

        self.attach(env)
        ctx = self.ctx
        with _MjSim_render_lock:
            ctx.gl_ctx.make_current()
            if size > ctx.con.offWidth or size > ctx.con.offHeight:  # as robosuite grows its buffer
                vis = ctx.model.vis.global_
                ctx.update_offscreen_size(max(size, vis.offwidth), max(size, vis.offheight))
            return draw(ctx, ctx.model.camera_name2id(camera), size, size, self._bounds, self._sky)

    def free(self) -> None:
        """Free the EGL context now: left to the garbage collector it is freed after EGL shut down, which prints
        errors."""
        ctx, self.ctx, self._sim = self.ctx, None, None
        if ctx is not None:
            ctx.con.free()
            ctx.gl_ctx.free()
