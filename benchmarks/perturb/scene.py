"""Read-only helpers over a LIBERO scene: cameras, objects, what rests on what, penetrations."""

from __future__ import annotations

import mujoco
import numpy as np

from vla_harness.harness.config import ConfigError


def inner(env):
    """The robosuite/LIBERO problem env under LiberoEnv -> ControlEnv."""
    return env.env.env


def camera_id(model, name: str) -> int:
    cid = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA, name)
    if cid < 0:
        names = [mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_CAMERA, i) for i in range(model.ncam)]
        raise ConfigError(f"camera '{name}' is not in this scene; allowed: {', '.join(names)}")
    return cid


def body_name(model, bid: int) -> str:
    return mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_BODY, bid) or ""


def object_bodies(env) -> dict[str, int]:
    """Free objects of the task (not fixtures): name -> root body id."""
    model = env.env.sim.model._model
    out = {}
    for name, obj in inner(env).objects_dict.items():
        bid = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, obj.root_body)
        if bid >= 0 and model.body_jntnum[bid] > 0 and model.jnt_type[model.body_jntadr[bid]] == 0:
            out[name] = bid
    return out


def is_support(model, bid: int) -> bool:
    """The arena: world, floor and table bodies."""
    root = model.body_rootid[bid]
    name = body_name(model, root).lower()
    return root == 0 or "table" in name or "floor" in name


def contacts_of(env, bid: int) -> list[tuple[int, float]]:
    """(other root body, signed distance) for every contact of the subtree rooted at bid."""
    model, data = env.env.sim.model._model, env.env.sim.data._data
    out = []
    for c in data.contact[: data.ncon]:
        b1, b2 = model.body_rootid[model.geom_bodyid[c.geom1]], model.body_rootid[model.geom_bodyid[c.geom2]]
        if bid in (b1, b2):
            out.append((b2 if b1 == bid else b1, float(c.dist)))
    return out


def movable_objects(env, all_objects: bool = False) -> dict[str, int]:
    """Objects standing on the table/floor (straight below them), not on or in another object or fixture, and
    with nothing standing on them (moving a plate would leave what it carries hanging)."""
    model, bodies = env.env.sim.model._model, object_bodies(env)
    if all_objects:
        return bodies
    below = {name: support_below(env, bid) for name, bid in bodies.items()}
    carrying = set(below.values())
    return {name: bid for name, bid in bodies.items() if is_support(model, below[name]) and bid not in carrying}


def support_below(env, bid: int) -> int:
    """Root body of the first thing straight below the body's origin, skipping the body's own parts (-1: none)."""
    model, data = env.env.sim.model._model, env.env.sim.data._data
    point, geom = data.xpos[bid].copy() + np.array([0.0, 0.0, 0.01]), np.zeros(1, dtype=np.int32)
    for _ in range(8):
        dist = mujoco.mj_ray(model, data, point, np.array([0.0, 0.0, -1.0]), None, 1, bid, geom)
        if dist < 0:
            return -1
        hit = int(model.body_rootid[model.geom_bodyid[geom[0]]])
        if hit != bid:
            return hit
        point = point - np.array([0.0, 0.0, dist + 1e-4])
    return -1


def penetrating(env, bid: int, tolerance: float = 0.002) -> bool:
    """Does this body's subtree overlap anything but the table/floor by more than tolerance metres?"""
    model = env.env.sim.model._model
    return any(d < -tolerance and not is_support(model, b) for b, d in contacts_of(env, bid))


def xy_radius(env, bid: int) -> float:
    """Horizontal footprint radius of the body subtree's collision geoms (m)."""
    model, data = env.env.sim.model._model, env.env.sim.data._data
    centre, radius = data.xpos[bid][:2], 0.02
    for g in range(model.ngeom):
        if model.body_rootid[model.geom_bodyid[g]] != bid or model.geom_contype[g] == 0:
            continue
        half = model.geom_aabb[g][3:5]
        radius = max(radius, float(np.linalg.norm(data.geom_xpos[g][:2] - centre) + max(half)))
    return radius


def robot_base_xy(env) -> np.ndarray:
    model, data = env.env.sim.model._model, env.env.sim.data._data
    return data.xpos[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, "robot0_base")][:2].copy()
