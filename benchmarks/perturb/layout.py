"""Layout: displace the task's free objects (target and distractors) on the table, collision-free and in reach.

Per level: each object resting on the table moves 2 cm (10 cm at level 5) times a per-object factor in [0.5, 1],
towards a per-object random direction. A move must keep the object on the table area the scene already uses (the
box around its objects and fixtures, 3 cm margin), within 0.8 m of the robot base (or no farther than it already
was), free of penetration with anything but the table, and no closer to any other object than the sum of their
footprint radii + 1 cm (or their original distance, if that was smaller). Otherwise the next of 8 directions, 45 deg
apart, is tried; an object with none left stays put. Objects on or inside other objects or fixtures, or carrying
one, never move.
Joint positions are set after the init state; the success predicates are LIBERO's own and unchanged.
From level 2 on, distractor objects from LIBERO's object set are added (level 2-3: one, level 4-5: two) as static
bodies on free spots of the same area (see distractors.py).
"""

from __future__ import annotations

from typing import Any

import mujoco
import numpy as np

from vla_harness.benchmarks.perturb import distractors
from vla_harness.benchmarks.perturb.base import Dimension, rounded
from vla_harness.benchmarks.perturb.scene import (
    inner,
    movable_objects,
    object_bodies,
    penetrating,
    robot_base_xy,
    xy_radius,
)

STEP_M, REACH_M, MARGIN_M, GAP_M, SLOTS = 0.02, 0.8, 0.03, 0.01, 16
HAND_M = 0.06  # extra room a distractor leaves around the task's objects of interest: the open gripper's fingers


class LayoutDimension(Dimension):
    name = "layout"
    units = "displacement m per object"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        out = {"radius_m": STEP_M * level, "angles_deg": rounded(rng.uniform(0, 360, SLOTS), 2),
               "factors": rounded(rng.uniform(0.5, 1.0, SLOTS), 4)}
        # drawn at every level, so levels 2-5 add the same objects
        return {**out, "distractors": level // 2, "distractor_order": distractors.order(rng),
                "distractor_seed": int(rng.integers(2**31))}

    def xml_processor(self, params: dict[str, Any]):
        if not params.get("distractors"):
            return None
        return distractors.xml_processor(params["distractor_order"], params["distractors"])

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        sim = env.env.sim
        model, data = sim.model._model, sim.data._data
        mujoco.mj_forward(model, data)
        scene = _Scene.of(env)
        moved = {}
        for slot, (name, bid) in enumerate(sorted(movable_objects(env).items())):
            dist = params["radius_m"] * params["factors"][slot % SLOTS]
            angle = params["angles_deg"][slot % SLOTS]
            moved[name] = rounded(_move(env, scene, bid, dist, angle))
        added = distractors.place(env, scene, params["angles_deg"],
                                  params.get("distractor_seed", 0))
        mujoco.mj_forward(model, data)
        return {"moved_m": moved, "added": added}


class _Scene:
    """Where objects started, their footprints and the allowed table area, read once per reset."""

    def __init__(self, start: dict[int, np.ndarray], radius: dict[int, float], lo, hi, base) -> None:
        self.start, self.radius, self.lo, self.hi, self.base = start, radius, lo, hi, base
        self.fixed: list[tuple[np.ndarray, float, int]] = []  # fixtures and placed distractors: (xy, radius, body)
        self.interest: set[int] = set()  # the bodies LIBERO names as the task's objects of interest

    @staticmethod
    def of(env) -> "_Scene":
        data = env.env.sim.data._data
        bodies = list(object_bodies(env).values())
        start = {b: data.xpos[b][:2].copy() for b in bodies}
        fixtures = [data.xpos[b][:2] for b in _fixture_bodies(env)]
        pts = np.array(list(start.values()) + fixtures)
        scene = _Scene(start, {b: xy_radius(env, b) for b in bodies}, pts.min(0) - MARGIN_M,
                       pts.max(0) + MARGIN_M, robot_base_xy(env))
        scene.fixed = [(data.xpos[b][:2].copy(), xy_radius(env, b), b) for b in _fixture_bodies(env)]
        scene.interest = _interest_bodies(env)
        return scene

    def clear(self, env, bid: int, xy: np.ndarray, radius: float) -> bool:
        """A new static body at xy: in reach, clear of every object, fixture and earlier distractor footprint,
        with room for the gripper around the task's objects of interest."""
        data = env.env.sim.data._data
        if np.linalg.norm(xy - self.base) > REACH_M or penetrating(env, bid):
            return False
        others = [(data.xpos[b][:2], r, b) for b, r in self.radius.items()] + self.fixed
        if any(np.linalg.norm(xy - p) < radius + r + GAP_M + HAND_M * (b in self.interest) for p, r, b in others):
            return False
        self.fixed.append((xy.copy(), radius, bid))
        return True

    def allowed(self, env, bid: int, xy: np.ndarray) -> bool:
        if np.any(xy < self.lo) or np.any(xy > self.hi):
            return False
        if np.linalg.norm(xy - self.base) > max(REACH_M, np.linalg.norm(self.start[bid] - self.base)):
            return False
        data = env.env.sim.data._data
        for other, other_start in self.start.items():
            if other == bid:
                continue
            need = min(self.radius[bid] + self.radius[other] + GAP_M, np.linalg.norm(self.start[bid] - other_start))
            if np.linalg.norm(xy - data.xpos[other][:2]) < need - 1e-9:
                return False
        return True


def _move(env, scene: _Scene, bid: int, dist: float, angle_deg: float) -> np.ndarray:
    model, data = env.env.sim.model._model, env.env.sim.data._data
    adr = model.jnt_qposadr[model.body_jntadr[bid]]
    start = data.qpos[adr:adr + 2].copy()
    for k in range(8):
        a = np.deg2rad(angle_deg + 45.0 * k)
        delta = dist * np.array([np.cos(a), np.sin(a)])
        data.qpos[adr:adr + 2] = start + delta
        mujoco.mj_forward(model, data)
        if scene.allowed(env, bid, data.xpos[bid][:2]) and not penetrating(env, bid):
            return delta
    data.qpos[adr:adr + 2] = start
    mujoco.mj_forward(model, data)
    return np.zeros(2)


def _interest_bodies(env) -> set[int]:
    model, task = env.env.sim.model._model, inner(env)
    things = {**task.fixtures_dict, **task.objects_dict}
    names = [things[n].root_body for n in getattr(task, "obj_of_interest", []) if n in things]
    return {b for b in (mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, n) for n in names) if b >= 0}


def _fixture_bodies(env) -> list[int]:
    model = env.env.sim.model._model
    out = []
    for name, fixture in inner(env).fixtures_dict.items():
        if "table" in name or "floor" in name:
            continue
        bid = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, fixture.root_body)
        if bid >= 0:
            out.append(bid)
    return out
