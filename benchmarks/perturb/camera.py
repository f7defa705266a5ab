"""Camera: the agentview pose orbits the point it looks at, shifts, and zooms.

Per level: yaw 5 deg about the vertical axis through the look-at point on the table, pitch 3 deg about the
horizontal axis, translation 1.5 cm along a random direction, field of view +-3 deg (vertical).
Level 5: 25 deg, 15 deg, 7.5 cm, 15 deg. Signs and direction are drawn per base episode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from vla_harness.benchmarks.perturb.base import Dimension, rounded, sign, unit_vector
from vla_harness.benchmarks.perturb.scene import camera_id, movable_objects
from vla_harness.harness.config import ConfigError

YAW_DEG, PITCH_DEG, SHIFT_M, FOVY_DEG = 5.0, 3.0, 0.015, 3.0
WORLD_CAMERAS = ("agentview", "frontview", "birdview", "sideview", "galleryview")  # LIBERO's cameras fixed in the world


class CameraDimension(Dimension):
    name = "camera"
    units = "yaw/pitch deg about the look-at point, shift m, fovy deg"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        yaw, pitch, fov = sign(rng), sign(rng), sign(rng)
        shift = unit_vector(rng, 3)
        return {"cameras": fixed_cameras(options.get("cameras", ["agentview"])), "yaw_deg": yaw * YAW_DEG * level,
                "pitch_deg": pitch * PITCH_DEG * level, "shift_m": rounded(shift * SHIFT_M * level),
                "fovy_delta_deg": fov * FOVY_DEG * level}

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        model, realised = env.env.sim.model._model, {}
        for cam in params["cameras"]:
            cid = camera_id(model, cam)
            pos, quat = orbit(model.cam_pos[cid].copy(), model.cam_quat[cid].copy(), look_at_height(env), params)
            model.cam_pos[cid], model.cam_quat[cid] = pos, quat
            model.cam_fovy[cid] = float(np.clip(model.cam_fovy[cid] + params["fovy_delta_deg"], 10.0, 120.0))
            realised[cam] = {"pos": rounded(pos), "quat": rounded(quat), "fovy": float(model.cam_fovy[cid])}
        return realised


def fixed_cameras(value) -> list[str]:
    names = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v) for v in value]
    bad = [n for n in names if n not in WORLD_CAMERAS]
    if bad or not names:
        raise ConfigError(f"camera option {bad or names} not allowed: the camera dimension moves world-fixed cameras "
                          f"({', '.join(WORLD_CAMERAS)}); the wrist camera moves with robot_init")
    return names


def look_at_height(env) -> float:
    """Height of the table surface: the lowest object centre, or the table's usual height."""
    sim = env.env.sim
    zs = [sim.data.xpos[bid][2] for bid in movable_objects(env, all_objects=True).values()]
    return float(min(zs)) if zs else 0.9


def orbit(pos: np.ndarray, quat_wxyz: np.ndarray, z_plane: float, params: dict[str, Any]):
    rot = Rotation.from_quat(np.roll(quat_wxyz, -1))  # MuJoCo (w,x,y,z) -> scipy (x,y,z,w)
    forward = -rot.as_matrix()[:, 2]  # MuJoCo cameras look along their -z axis
    t = (z_plane - pos[2]) / forward[2] if forward[2] < -1e-6 else 1.0
    pivot = pos + t * forward
    side = np.cross(forward, [0.0, 0.0, 1.0])
    side = side / (np.linalg.norm(side) or 1.0)
    turn = (Rotation.from_rotvec(np.deg2rad(params["yaw_deg"]) * np.array([0.0, 0.0, 1.0]))
            * Rotation.from_rotvec(np.deg2rad(params["pitch_deg"]) * side))
    new_pos = pivot + turn.apply(pos - pivot) + np.asarray(params["shift_m"])
    new_quat = np.roll((turn * rot).as_quat(), 1)
    return new_pos, new_quat
