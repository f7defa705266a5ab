"""Background: table, floor and wall colour and texture, from the textures shipped with LIBERO's assets.

Per level: each surface's texture is blended 20% towards a texture drawn from LIBERO's `assets/textures` (level 5:
replaced outright) and its material colour 12% towards a random colour (60% at level 5). Only arena materials change
(names with table/floor/wall), so objects, robot and success checks are untouched.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import mujoco
import numpy as np

from vla_harness.benchmarks.perturb.base import Dimension, rounded

TEXTURE_STEP, COLOUR_STEP = 0.2, 0.12
SURFACES = ("table", "floor", "wall")


class BackgroundDimension(Dimension):
    name = "background"
    units = "texture blend fraction, colour mix fraction"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        names = libero_textures()
        surfaces = {s: {"texture": names[int(rng.integers(len(names)))], "colour": rounded(rng.uniform(0.1, 1.0, 3))}
                    for s in SURFACES}
        return {"surfaces": surfaces, "texture_blend": min(1.0, TEXTURE_STEP * level),
                "colour_mix": COLOUR_STEP * level}

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        sim = env.env.sim
        model, done = sim.model._model, {}
        for mat in range(model.nmat):
            surface = surface_of(mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_MATERIAL, mat) or "")
            if surface is None:
                continue
            spec, mix = params["surfaces"][surface], params["colour_mix"]
            model.mat_rgba[mat][:3] = (1 - mix) * model.mat_rgba[mat][:3] + mix * np.asarray(spec["colour"])
            tex = int(model.mat_texid[mat][mujoco.mjtTextureRole.mjTEXROLE_RGB])
            if tex >= 0 and tex not in done:
                blend_texture(model, tex, spec["texture"], params["texture_blend"])
                _upload(sim, tex)
                done[tex] = spec["texture"]
        return {"textures": {str(k): v for k, v in done.items()}}


def _upload(sim, tex: int) -> None:
    """Send the changed texture to the GPU (robosuite's own upload_texture passes its model wrapper and fails)."""
    ctx = sim._render_context_offscreen
    ctx.gl_ctx.make_current()
    mujoco.mjr_uploadTexture(sim.model._model, ctx.con, tex)


def surface_of(material: str) -> str | None:
    name = material.lower()
    if "leg" in name or name.startswith(("robot", "gripper", "mount")):
        return None
    return next((s for s in SURFACES if s in name), None)


@lru_cache(maxsize=1)
def texture_dir() -> str:
    from libero.libero import get_libero_path

    return os.path.join(get_libero_path("assets"), "textures")


@lru_cache(maxsize=1)
def libero_textures() -> tuple[str, ...]:
    return tuple(sorted(f for f in os.listdir(texture_dir()) if f.endswith(".png")))


@lru_cache(maxsize=8)
def _texture_pixels(name: str, width: int, height: int, channels: int) -> np.ndarray:
    from PIL import Image

    img = Image.open(os.path.join(texture_dir(), name)).convert("RGBA" if channels == 4 else "RGB")
    face = np.asarray(img.resize((width, min(width, height))), dtype=np.uint8)
    reps = -(-height // face.shape[0])
    return np.concatenate([face] * reps, axis=0)[:height]


def blend_texture(model, tex: int, name: str, weight: float) -> None:
    w, h, c = int(model.tex_width[tex]), int(model.tex_height[tex]), int(model.tex_nchannel[tex])
    start = int(model.tex_adr[tex])
    view = model.tex_data[start:start + w * h * c].reshape(h, w, c)
    new = _texture_pixels(name, w, h, c)
    view[:] = np.clip((1 - weight) * view.astype(np.float32) + weight * new, 0, 255).astype(np.uint8)
