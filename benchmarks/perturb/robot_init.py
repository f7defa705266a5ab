"""Robot initial state: offsets added to the arm's joint angles after the task's initial state is set.

Per level: each of the 7 arm joints moves by up to 0.04 rad (2.3 deg) in a per-episode random direction (0.2 rad,
11.5 deg at level 5), inside joint limits. If the new pose would push the arm into the table or an object, the offset
is halved (at most 4 times) and the scale actually used goes into the record.
"""

from __future__ import annotations

from typing import Any

import mujoco
import numpy as np

from vla_harness.benchmarks.perturb.base import Dimension, rounded
from vla_harness.benchmarks.perturb.scene import inner

RAD_PER_LEVEL = 0.04


class RobotInitDimension(Dimension):
    name = "robot_init"
    units = "rad per arm joint"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        return {"joint_offsets_rad": rounded(rng.uniform(-1.0, 1.0, size=7) * RAD_PER_LEVEL * level)}

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        sim = env.env.sim
        model, data = sim.model._model, sim.data._data
        robot = inner(env).robots[0]
        idx = np.asarray(robot._ref_joint_pos_indexes)
        joints = [model.jnt_qposadr.tolist().index(int(i)) for i in idx]
        lo, hi = model.jnt_range[joints, 0], model.jnt_range[joints, 1]
        start, offsets = data.qpos[idx].copy(), np.asarray(params["joint_offsets_rad"])
        for scale in (1.0, 0.5, 0.25, 0.125, 0.0625, 0.0):
            data.qpos[idx] = np.clip(start + scale * offsets, lo, hi)
            data.qvel[np.asarray(robot._ref_joint_vel_indexes)] = 0.0
            mujoco.mj_forward(model, data)
            if not _robot_collides(model, data):
                break
        return {"scale": scale, "qpos": rounded(data.qpos[idx])}


def _robot_collides(model, data, tolerance: float = 0.002) -> bool:
    for c in data.contact[: data.ncon]:
        names = [mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_BODY, model.body_rootid[model.geom_bodyid[g]]) or ""
                 for g in (c.geom1, c.geom2)]
        robot = [n.startswith(("robot0", "gripper0", "mount0")) for n in names]
        if any(robot) and not all(robot) and c.dist < -tolerance:
            return True
    return False
