"""What the official LIBERO eval loops (openpi, OpenVLA-OFT, VLA-JEPA, vla-eval) start from, declared as conventions
for the clients of their servers: both views upright at 256 px (every official loop renders LIBERO at 256 and flips
with [::-1, ::-1]), and the 8-d state eef pos || robosuite axis-angle || gripper qpos. The worker converts into
this in its one place (harness/convert.py); each client then applies its own server's resize and wire format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_harness.harness.conventions import LIBERO_GRIPPER, UPRIGHT, PolicyConventions, StateVector
from vla_harness.harness.types import Observation

CAMERAS = ("primary", "wrist")  # roles: LIBERO's agentview and robot0_eye_in_hand
RENDER_SIZE = 256  # LIBERO_ENV_RESOLUTION / env_img_res of the official loops; the clients resize from it
STATE8 = StateVector("state", ("eef_pos", "eef_axis_angle", "gripper_qpos"))
POSE = StateVector("eef_pose", ("eef_pos", "eef_quat_xyzw", "gripper_qpos"))  # for servers with their own rotation


def conventions(*state: StateVector) -> PolicyConventions:
    """Upright images, these state vectors, LIBERO's actions (gripper -1 open, +1 closed)."""
    return PolicyConventions(orientation=UPRIGHT, state=state or (STATE8,), gripper=LIBERO_GRIPPER,
                             action_space="libero_osc_pose")


@dataclass(frozen=True)
class LiberoView:
    primary: np.ndarray  # (256, 256, 3) uint8, upright
    wrist: np.ndarray
    state: dict[str, np.ndarray]
    instruction: str

    def state8(self) -> np.ndarray:
        return np.asarray(self.state[STATE8.key], dtype=np.float64)


def libero_view(obs: Observation, policy: str) -> LiberoView:
    """The converted observation's parts; a missing one is a one-line error naming the policy."""
    missing = [k for k in CAMERAS if k not in obs.images]
    if missing:
        raise ValueError(f"policy '{policy}' got no {', '.join(missing)} image; it needs LIBERO's two views")
    return LiberoView(obs.images["primary"], obs.images["wrist"], dict(obs.state), obs.instruction)
