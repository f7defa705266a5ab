"""Added distractor objects from LIBERO's own object set, for the layout dimension.

They are added to the scene XML as static bodies (no joint): the state vector keeps its size, so the suite's fixed
init states still load, and the task's objects, goal and success predicates are untouched. Each reset builds the
model from XML again, so the env installs this as robosuite's XML processor before the reset (level 0: none).
After the init state is set they are placed on the table like displaced objects: in the scene's area, on the table
(a downward ray must hit it), clear of every object and fixture footprint. One with no free spot stays hidden under
the floor, and the record says so.
"""

from __future__ import annotations

import contextlib
import copy
import io
import xml.etree.ElementTree as ET
from typing import Any

import mujoco
import numpy as np
from scipy.spatial.transform import Rotation

PREFIX = "perturb_distractor"
HIDDEN_Z = -3.0
TRIES = 100
# Tabletop objects of LIBERO's set, each in LIBERO's own default orientation for it (some bottles lie on their side).
CANDIDATES = ("alphabet_soup", "tomato_sauce", "butter", "cream_cheese", "chocolate_pudding", "popcorn", "bbq_sauce",
              "white_bowl", "red_coffee_mug", "porcelain_mug", "moka_pot", "wine_bottle")


def order(rng: np.random.Generator) -> list[str]:
    """Candidates in a per-episode order; the scene's XML decides which of them are new to it."""
    return [CANDIDATES[int(i)] for i in rng.permutation(len(CANDIDATES))]


def new_to_scene(root: ET.Element, candidates: list[str], count: int) -> list[str]:
    """The first `count` candidates of a category the scene does not already hold (no second wine bottle)."""
    present = {b.get("name", "") for b in root.iter("body")}
    return [c for c in candidates if not any(n.startswith(f"{c}_") for n in present)][:count]


def _libero_object(category: str, name: str):
    with contextlib.redirect_stdout(io.StringIO()):
        from libero.libero.envs.objects import get_object_fn

        return get_object_fn(category)(name=name)


def added_bodies(model) -> dict[str, int]:
    """The distractors this model holds: "category@i" -> body id."""
    out = {}
    for bid in range(model.nbody):
        name = mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_BODY, bid) or ""
        if name.startswith(f"{PREFIX}_") and name.endswith("_main"):
            i, _, category = name[len(PREFIX) + 1: -len("_main")].partition("_")
            out[f"{category}@{i}"] = bid
    return out


def xml_processor(candidates: list[str], count: int):
    """A robosuite XML processor that appends `count` distractors as hidden static bodies."""

    def process(xml: str) -> str:
        root = ET.fromstring(xml)
        asset, world = root.find("asset"), root.find("worldbody")
        have = {(a.tag, a.get("name")) for a in asset}
        for i, category in enumerate(new_to_scene(root, candidates, count)):
            obj = _libero_object(category, f"{PREFIX}_{i}_{category}")
            for item in obj.asset:
                if (item.tag, item.get("name")) not in have:
                    asset.append(copy.deepcopy(item))
            body = copy.deepcopy(obj.get_obj())
            for joint in [c for c in body if c.tag in ("joint", "freejoint")]:
                body.remove(joint)
            body.set("pos", f"0 0 {HIDDEN_Z}")
            body.set("quat", " ".join(f"{v:.6f}" for v in upright_quat(obj)))
            world.append(body)
        return ET.tostring(root, encoding="unicode")

    return process


def upright_quat(obj) -> np.ndarray:
    """LIBERO's default orientation for the object (its rotation range's middle about its rotation axis), wxyz."""
    rotation, axis = getattr(obj, "rotation", None), getattr(obj, "rotation_axis", None) or "z"
    angle = float(np.mean(rotation)) if isinstance(rotation, (tuple, list)) else 0.0
    return np.roll(Rotation.from_euler(axis, angle).as_quat(), 1)


def place(env, scene, angles_deg: list[float], rng_seed: int) -> dict[str, Any]:
    """Put each distractor on a free spot of the table; (x, y) per distractor, None when it stayed hidden."""
    from vla_harness.benchmarks.perturb.scene import is_support, xy_radius

    model, data = env.env.sim.model._model, env.env.sim.data._data
    rng = np.random.default_rng(rng_seed)
    placed: dict[str, Any] = {}
    bodies = sorted(added_bodies(model).items(), key=lambda kv: int(kv[0].split("@")[1]))
    for i, (key, bid) in enumerate(bodies):
        yaw = Rotation.from_euler("z", angles_deg[i % len(angles_deg)], degrees=True)
        model.body_quat[bid] = np.roll((yaw * Rotation.from_quat(np.roll(model.body_quat[bid], -1))).as_quat(), 1)
        placed[key] = None
        for _ in range(TRIES):
            xy = rng.uniform(scene.lo, scene.hi)
            surface, support = _surface(model, data, xy, bid)
            if support < 0 or not is_support(model, support):
                continue
            model.body_pos[bid] = [xy[0], xy[1], surface]
            mujoco.mj_forward(model, data)
            model.body_pos[bid][2] += surface - _lowest_point(model, data, bid) + 0.001
            mujoco.mj_forward(model, data)
            if scene.clear(env, bid, xy, xy_radius(env, bid)):
                placed[key] = [round(float(v), 4) for v in xy]
                break
        else:
            model.body_pos[bid] = [0.0, 0.0, HIDDEN_Z]
            mujoco.mj_forward(model, data)
    return placed


def _surface(model, data, xy: np.ndarray, skip: int) -> tuple[float, int]:
    geom = np.zeros(1, dtype=np.int32)
    start = np.array([xy[0], xy[1], 2.0])
    dist = mujoco.mj_ray(model, data, start, np.array([0.0, 0.0, -1.0]), None, 1, skip, geom)
    if dist < 0:
        return 0.0, -1
    return 2.0 - dist, int(model.body_rootid[model.geom_bodyid[geom[0]]])


def _lowest_point(model, data, bid: int) -> float:
    low = np.inf
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=float)
    for g in np.nonzero(model.body_rootid[model.geom_bodyid] == bid)[0]:
        centre, half = model.geom_aabb[g][:3], model.geom_aabb[g][3:]
        pts = data.geom_xpos[g] + (centre + corners * half) @ data.geom_xmat[g].reshape(3, 3).T
        low = min(low, float(pts[:, 2].min()))
    return low
