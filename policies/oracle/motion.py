"""Turning a waypoint into a chunk of OSC_POSE delta actions (robosuite default OSC_POSE controller, 20 Hz)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

# Measured on LIBERO's Panda: a constant action a moves the eef about 0.0125 * a metres per step.
METRES_PER_STEP = 0.0125
GAIN = 20.0  # action per metre of error: closes ~25% of the remaining error each step
ROT_GAIN = 1.0  # action per radian of orientation error (output_max is 0.5 rad per unit)
ROT_DECAY = 0.7
XY_BEFORE_DESCENT = 0.03  # with keep_height, do not go lower until this close in xy


@dataclass(frozen=True)
class Motion:
    target: np.ndarray  # eef position to reach (world frame)
    gripper: float  # -1 open, +1 closed
    tolerance: float  # metres; < 0 means "never reached": the phase lasts `timeout` steps
    timeout: int  # steps
    speed: float  # max |action| for the position part (0 holds still)
    keep_height: bool = False


def orientation_error(quat_xyzw: np.ndarray, ref_xyzw: np.ndarray) -> float:
    """Angle in radians between the eef orientation and the reference."""
    return float((Rotation.from_quat(ref_xyzw) * Rotation.from_quat(quat_xyzw).inv()).magnitude())


def hold_orientation(quat_xyzw: np.ndarray, ref_xyzw: np.ndarray) -> np.ndarray:
    """Axis-angle action that turns the eef back to the reference orientation."""
    error = Rotation.from_quat(ref_xyzw) * Rotation.from_quat(quat_xyzw).inv()
    return np.clip(error.as_rotvec() * ROT_GAIN, -0.5, 0.5)


def move_toward(eef: np.ndarray, motion: Motion, rot: np.ndarray, k: int) -> np.ndarray:
    """k actions of a proportional move, each planned from the position the previous ones should reach."""
    pos = np.asarray(eef, dtype=float).copy()
    out = np.zeros((k, 7), dtype=np.float32)
    for i in range(k):
        target = np.asarray(motion.target, dtype=float).copy()
        if motion.keep_height and np.linalg.norm(target[:2] - pos[:2]) > XY_BEFORE_DESCENT:
            target[2] = max(target[2], pos[2])
        step = np.clip((target - pos) * GAIN, -motion.speed, motion.speed)
        pos = pos + step * METRES_PER_STEP
        out[i, :3] = step
        out[i, 3:6] = rot * ROT_DECAY**i  # what the earlier actions of the chunk should already have turned
        out[i, 6] = motion.gripper
    return out
