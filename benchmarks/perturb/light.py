"""Light: intensity, direction, colour and ambient of every scene light and the headlight.

Per level: intensity x exp(+-0.25) (level 5: x3.5 brighter or x0.29 darker), each light's direction tilted 8 deg
towards a random azimuth (40 deg at level 5), diffuse colour pulled 8% towards a random hue (40%), ambient +0.04 (+0.2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from vla_harness.benchmarks.perturb.base import Dimension, rounded, sign

LOG_GAIN, TILT_DEG, TINT, AMBIENT = 0.25, 8.0, 0.08, 0.04


class LightDimension(Dimension):
    name = "light"
    units = "intensity factor, tilt deg, colour mix fraction, ambient (0-1 RGB)"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        colour = rng.uniform(0.0, 1.0, size=3)
        return {"intensity": float(np.exp(sign(rng) * LOG_GAIN * level)), "tilt_deg": TILT_DEG * level,
                "tilt_azimuth_deg": float(rng.uniform(0, 360)), "tint": TINT * level,
                "colour": rounded(colour / colour.max()), "ambient_add": AMBIENT * level}

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        model = env.env.sim.model._model
        gain, mix, colour = params["intensity"], params["tint"], np.asarray(params["colour"])
        tint = (1.0 - mix) + mix * colour
        az = np.deg2rad(params["tilt_azimuth_deg"])
        axis = np.array([np.cos(az), np.sin(az), 0.0])
        tilt = Rotation.from_rotvec(np.deg2rad(params["tilt_deg"]) * axis)
        for i in range(model.nlight):
            model.light_diffuse[i] = np.clip(model.light_diffuse[i] * gain * tint, 0.0, 1.0)
            model.light_specular[i] = np.clip(model.light_specular[i] * gain, 0.0, 1.0)
            model.light_ambient[i] = np.clip(model.light_ambient[i] + params["ambient_add"], 0.0, 1.0)
            direction = tilt.apply(model.light_dir[i])
            model.light_dir[i] = direction / np.linalg.norm(direction)
        head = model.vis.headlight
        head.diffuse = np.clip(np.asarray(head.diffuse) * gain * tint, 0.0, 1.0)
        head.ambient = np.clip(np.asarray(head.ambient) + params["ambient_add"], 0.0, 1.0)
        return {"light_diffuse": rounded(model.light_diffuse), "light_dir": rounded(model.light_dir),
                "headlight_diffuse": rounded(head.diffuse)}
