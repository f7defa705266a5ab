"""Sensor noise on the policy's images: gaussian pixel noise, blur or fog; which cameras is a parameter.

Per level: gaussian sigma 6 (of 255) per pixel (30 at level 5), fresh each frame from (seed, frame, camera);
blur sigma 0.6 px at 128 px, scaled with image size (3 px at level 5); fog blends 12% towards light grey (60%).
The kind is drawn per base episode from `noise_kinds` (default all three); `noise_cameras` defaults to every camera.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from vla_harness.benchmarks.libero.protocol import CAMERAS
from vla_harness.benchmarks.perturb.base import Dimension
from vla_harness.harness.config import ConfigError

KINDS = ("gaussian", "blur", "fog")
SIGMA, BLUR_PX_AT_128, FOG = 6.0, 0.6, 0.12
FOG_COLOUR = np.array([200.0, 200.0, 205.0])


class NoiseDimension(Dimension):
    name = "noise"
    units = "gaussian sigma (0-255), blur sigma px at 128 px, fog fraction"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        kinds = _as_list(options.get("noise_kinds", KINDS))
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise ConfigError(f"noise_kinds {bad or kinds} not allowed; choose from {', '.join(KINDS)}")
        kind = kinds[int(rng.integers(len(kinds)))]
        strength = {"gaussian": SIGMA, "blur": BLUR_PX_AT_128, "fog": FOG}[kind] * level
        cameras = _as_list(options["noise_cameras"]) if options.get("noise_cameras") else None
        unknown = [c for c in cameras or [] if c not in CAMERAS]
        if unknown:
            raise ConfigError(f"noise_cameras {unknown} not allowed; LIBERO's policy cameras are {', '.join(CAMERAS)}")
        return {"kind": kind, "strength": strength, "cameras": cameras,
                "seed": int(seed)}

    def image(self, img: np.ndarray, camera: str, params: dict[str, Any], step: int) -> np.ndarray:
        if params["cameras"] is not None and camera not in params["cameras"]:
            return img
        kind, s = params["kind"], params["strength"]
        x = img.astype(np.float32)
        if kind == "gaussian":
            rng = np.random.default_rng([params["seed"], step, sum(camera.encode())])
            x = x + rng.normal(0.0, s, size=x.shape)
        elif kind == "blur":
            x = gaussian_filter(x, sigma=(s * img.shape[0] / 128.0, s * img.shape[1] / 128.0, 0))
        else:
            x = (1.0 - s) * x + s * FOG_COLOUR[: x.shape[-1]]
        return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _as_list(value) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)
