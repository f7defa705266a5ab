"""What the official LIBERO eval loops (openpi, OpenVLA-OFT, VLA-JEPA, vla-eval) start from, for the clients of
their servers: both views as LIBERO renders them at 256 px, made upright, and the 8-d state eef pos || axis-angle ||
gripper qpos. The clients ask the loop for the raw LIBERO views and state keys below and build these here, in one
place (`libero_view`); each client then applies its own server's resize and wire format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from harness.types import Observation

CAMERAS = ("agentview", "robot0_eye_in_hand")  # the primary (third-person) and wrist views, LIBERO's names
STATE_KEYS = ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos")
RENDER_SIZE = 256  # every official LIBERO loop renders at 256 (LIBERO_ENV_RESOLUTION / env_img_res) and resizes


@dataclass(frozen=True)
class LiberoView:
    primary: np.ndarray  # (256, 256, 3) uint8, upright
    wrist: np.ndarray
    eef_pos: np.ndarray  # (3,) float64
    eef_quat: np.ndarray  # (4,) x, y, z, w (robosuite's order)
    gripper_qpos: np.ndarray  # (2,)
    instruction: str

    def state8(self) -> np.ndarray:
        """eef pos || robosuite quat2axisangle(eef quat) || gripper qpos: what every official LIBERO loop sends."""
        return np.concatenate([self.eef_pos, quat2axisangle(self.eef_quat), self.gripper_qpos])


def libero_view(obs: Observation, policy: str) -> LiberoView:
    """The official loops' starting point from a harness observation of LIBERO / LIBERO-Plus (renders are rotated
    by 180 degrees, like `obs["agentview_image"]`; the loops flip them with [::-1, ::-1])."""
    missing = [k for k in (*CAMERAS, *STATE_KEYS) if k not in {**obs.images, **obs.state}]
    if missing:
        raise ValueError(f"policy '{policy}' speaks the LIBERO convention and needs {', '.join(missing)}; this "
                         "benchmark does not offer them (LIBERO and LIBERO-Plus do)")
    up = {cam: np.ascontiguousarray(obs.images[cam][::-1, ::-1]) for cam in CAMERAS}
    state = {k: np.asarray(obs.state[k], dtype=np.float64) for k in STATE_KEYS}
    return LiberoView(up[CAMERAS[0]], up[CAMERAS[1]], state["robot0_eef_pos"], state["robot0_eef_quat"],
                      state["robot0_gripper_qpos"], obs.instruction)


def quat2axisangle(quat: np.ndarray) -> np.ndarray:
    """robosuite transform_utils.quat2axisangle (x, y, z, w): the scalar clipped to [-1, 1]; ~zero rotation -> 0."""
    w = min(1.0, max(-1.0, float(quat[3])))
    den = math.sqrt(1.0 - w * w)
    if math.isclose(den, 0.0):
        return np.zeros(3)
    return np.asarray(quat[:3], dtype=np.float64) * 2.0 * math.acos(w) / den
