"""Privileged simulator state for oracle policies: the pick-and-place goal of a LIBERO task, read from its BDDL.

Only `LiberoEnv.privileged_state()` calls this, and the episode loop calls that only for a policy whose
`PolicySpec.privileged` is True. Everything is in the world frame (metres; quaternions x, y, z, w as robosuite).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vla_harness.harness.errors import PolicyFault

PLACE_PREDICATES = ("on", "in")


class NotPickAndPlace(PolicyFault, ValueError):
    """Recorded as `policy_error`."""


def pick_and_place_goal(problem_env) -> tuple[str, str, str]:
    """(relation, object, target) of the first `On`/`In` goal on a movable object that does not hold yet (the last
    one when all hold): a task with several such goals is served one object after the other."""
    goals = problem_env.parsed_problem["goal_state"]
    places = [g for g in goals if len(g) == 3 and g[0].lower() in PLACE_PREDICATES and g[1] in problem_env.objects_dict]
    if not places:
        raise NotPickAndPlace(f"task goal {goals} has no On/In predicate on a movable object: "
                              "not a pick-and-place task")
    check = getattr(problem_env, "_eval_predicate", None)
    pending = [g for g in places if check is None or not check(g)]
    relation, obj, target = (pending or places)[-1 if not pending else 0]
    return relation.lower(), obj, target


ROBOT_PREFIXES = ("robot0_", "gripper0_", "mount0_")  # the arm itself is no obstacle


def _subtree(model, root: int) -> set[int]:
    bodies = {root}
    for body in range(model.nbody):
        parent = body
        while parent not in bodies and parent != 0:
            parent = model.body_parentid[parent]
        if parent in bodies:
            bodies.add(body)
    return bodies


def geom_corners(sim) -> np.ndarray:
    """World-frame corners (ngeom, 8, 3) of every geom's box, from MuJoCo's local geom_aabb."""
    model, data = sim.model, sim.data
    signs = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=float)
    aabb = np.asarray(model.geom_aabb).reshape(-1, 6)
    local = aabb[:, None, :3] + signs[None] * aabb[:, None, 3:]
    xmat = np.asarray(data.geom_xmat).reshape(-1, 3, 3)
    return np.asarray(data.geom_xpos)[:, None, :] + np.einsum("gkj,gij->gki", local, xmat)


def body_geoms(model, body_id: int) -> np.ndarray:
    """Collision geoms of a body and its children (all its geoms if none collide)."""
    geoms = np.flatnonzero(np.isin(model.geom_bodyid, list(_subtree(model, body_id))))
    solid = geoms[(model.geom_contype[geoms] != 0) | (model.geom_conaffinity[geoms] != 0)]
    return solid if len(solid) else geoms


def body_aabb(sim, body_id: int, corners: np.ndarray | None = None) -> np.ndarray:
    """World-frame box (min xyz, max xyz) around the collision geoms of a body and its children."""
    corners = geom_corners(sim) if corners is None else corners
    geoms = body_geoms(sim.model, body_id)
    if not len(geoms):
        pos = np.array(sim.data.body_xpos[body_id])
        return np.stack([pos, pos])
    pts = corners[geoms].reshape(-1, 3)
    return np.stack([pts.min(axis=0), pts.max(axis=0)])


def obstacle_boxes(sim, obj_body: int) -> dict[str, np.ndarray]:
    """Oriented boxes (centre, rotation, half sizes) of the collision geoms of everything but the robot and the
    object to grasp, table included: what a descending hand can hit."""
    model, data = sim.model, sim.data
    skip = _subtree(model, obj_body)
    for body in range(model.nbody):
        if (model.body_id2name(body) or "").startswith(ROBOT_PREFIXES):
            skip |= _subtree(model, body)
    keep = ~np.isin(model.geom_bodyid, list(skip)) & ((model.geom_contype != 0) | (model.geom_conaffinity != 0))
    aabb = np.asarray(model.geom_aabb).reshape(-1, 6)[keep]
    rot = np.asarray(data.geom_xmat).reshape(-1, 3, 3)[keep]
    center = np.asarray(data.geom_xpos)[keep] + np.einsum("gij,gj->gi", rot, aabb[:, :3])
    return {"center": center, "rot": rot, "half": aabb[:, 3:]}


def _target(problem_env, target: str, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference point and box of a goal target: an object/fixture body, a region site on one, or a region of
    the table surface (a flat box of the site's size)."""
    sim = problem_env.sim
    if target in problem_env.obj_body_id:
        body = problem_env.obj_body_id[target]
        return np.array(sim.data.body_xpos[body]), body_aabb(sim, body, corners)
    site = problem_env.object_sites_dict.get(target)
    if site is None:
        raise NotPickAndPlace(f"goal target '{target}' is neither an object, a fixture nor a region site")
    pos = np.array(sim.data.site_xpos[sim.model.site_name2id(target)])
    body = problem_env.obj_body_id.get(site.parent_name)
    if body is not None:
        return pos, body_aabb(sim, body, corners)
    half = np.array([*np.asarray(site.size, dtype=float)[:2], 0.0])
    return pos, np.stack([pos - half, pos + half])


def privileged_state(problem_env, robot_obs: dict[str, np.ndarray]) -> dict[str, Any]:
    """Goal relation, object and target poses and boxes, obstacle boxes, end-effector pose and gripper opening."""
    relation, obj, target = pick_and_place_goal(problem_env)
    sim = problem_env.sim
    obj_body = problem_env.obj_body_id[obj]
    corners = geom_corners(sim)
    target_pos, target_aabb = _target(problem_env, target, corners)
    return {
        "relation": relation, "object": obj, "target": target,
        "object_pos": np.array(sim.data.body_xpos[obj_body]),
        "object_quat": np.array(sim.data.body_xquat[obj_body])[[1, 2, 3, 0]],
        "object_aabb": body_aabb(sim, obj_body, corners),
        "object_corners": corners[body_geoms(sim.model, obj_body)].reshape(-1, 3),
        "target_pos": target_pos,
        "target_aabb": target_aabb,
        "obstacles": obstacle_boxes(sim, obj_body),
        "eef_pos": np.array(robot_obs["robot0_eef_pos"]),
        "eef_quat": np.array(robot_obs["robot0_eef_quat"]),
        "gripper_qpos": np.array(robot_obs["robot0_gripper_qpos"]),
    }
