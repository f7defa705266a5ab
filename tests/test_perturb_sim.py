"""Native perturbations on real LIBERO: level 0 is bit-identical, level 5 changes what it should, seeds repeat.

One plain env gives the reference observation, then one perturbed env is reused for every check (resets only).
"""

import dataclasses

import numpy as np
import pytest

from vla_harness.benchmarks.libero.bench import LiberoBenchmark
from vla_harness.benchmarks.perturb import DIMENSIONS
from vla_harness.benchmarks.perturb.distractors import added_bodies
from vla_harness.benchmarks.perturb.scene import movable_objects, penetrating
from vla_harness.benchmarks.perturb.sweep import PerturbSweep
from vla_harness.harness.protocols import BenchSelection

pytestmark = pytest.mark.sim
CAMS, SIZE, STATE = ("agentview", "robot0_eye_in_hand"), 96, ("robot0_joint_pos", "robot0_eef_pos")


def _look(env):
    obs = env.observe(CAMS, SIZE, STATE)
    return {"images": obs.images, "state": obs.state, "instruction": obs.instruction}


@pytest.fixture(scope="module")
def world():
    plain = LiberoBenchmark("libero_spatial")
    base = plain.episodes(BenchSelection(tasks=(0,), trials=1), run_seed=7)[0]
    env = plain.make_env(base)
    try:
        env.reset(base)
        reference = _look(env)
        reference["success"] = env.check_success()
    finally:
        env.close()
    sweep = PerturbSweep(plain, perturb="all", levels="0,5", share_level0=False)
    env = sweep.make_env(base)
    yield sweep, base, env, reference
    env.close()


def _at(world, name, level):
    sweep, base, env, _ = world
    spec = sweep.perturbed(base, name, level)
    env.reset(spec)
    return spec, _look(env)


def _same(a, b):
    return (all(np.array_equal(a["images"][c], b["images"][c]) for c in CAMS)
            and all(np.array_equal(a["state"][k], b["state"][k]) for k in STATE)
            and a["instruction"] == b["instruction"])


def _diff(a, b, cam="agentview"):
    return float(np.abs(a["images"][cam].astype(float) - b["images"][cam]).mean())


@pytest.mark.parametrize("name", list(DIMENSIONS))
def test_level0_is_bit_identical_to_the_plain_benchmark(world, name):
    spec, seen = _at(world, name, 0)
    assert spec.perturbation.level == 0 and spec.key.endswith(f"/{name}-0/0")
    assert _same(seen, world[3])


@pytest.mark.parametrize("name,min_pixels", [("camera", 10.0), ("light", 5.0), ("background", 5.0), ("noise", 3.0),
                                             ("layout", 0.5)])
def test_top_level_changes_the_image(world, name, min_pixels):
    _, seen = _at(world, name, 5)
    reference = world[3]
    print(f"{name}-5: mean |pixel change| agentview {_diff(seen, reference):.1f}")
    assert _diff(seen, reference) > min_pixels
    assert seen["instruction"] == reference["instruction"]
    if name == "camera":  # only the agentview moves
        assert np.array_equal(seen["images"]["robot0_eye_in_hand"], reference["images"]["robot0_eye_in_hand"])


def test_top_robot_init_moves_joints_without_collision(world):
    env = world[2]
    _, seen = _at(world, "robot_init", 5)
    dq = np.abs(seen["state"]["robot0_joint_pos"] - world[3]["state"]["robot0_joint_pos"])
    print(f"robot_init-5: max |joint change| {dq.max():.3f} rad, scale {env.realised['scale']}")
    assert dq.max() > 0.05 and env.realised["scale"] > 0
    assert not env.check_success()


def test_top_language_rewrites_only_the_instruction(world):
    _, seen = _at(world, "language", 5)
    assert seen["instruction"] != world[3]["instruction"] and len(seen["instruction"]) > len(world[3]["instruction"])
    assert all(np.array_equal(seen["images"][c], world[3]["images"][c]) for c in CAMS)


def test_layout_moves_objects_collision_free_and_keeps_the_task_unsolved(world):
    env = world[2]
    _at(world, "layout", 5)
    moved = env.realised["moved_m"]
    distances = {k: round(float(np.hypot(*v)), 3) for k, v in moved.items()}
    print(f"layout-5: moved {distances}, added {env.realised['added']}")
    assert sum(np.hypot(*v) > 0.04 for v in moved.values()) >= 2
    added = env.realised["added"]
    assert len(added) == 2 and all(xy is not None for xy in added.values())  # level 5: two LIBERO objects added
    bodies = {**movable_objects(env, all_objects=True), **added_bodies(env.env.sim.model._model)}
    assert not any(penetrating(env, bid) for bid in bodies.values())
    assert env.check_success() == world[3]["success"] is False


def test_same_seed_same_perturbation_after_other_resets(world):
    env = world[2]
    spec, first = _at(world, "layout", 5)
    realised = env.realised
    _at(world, "light", 5)
    _, again = _at(world, "layout", 5)
    assert env.realised == realised and _same(first, again)
    other = dataclasses.replace(spec, seed=spec.seed + 1)
    other = world[0].perturbed(other, "layout", 5)
    env.reset(other)
    assert env.realised != realised  # another seed, another layout


def test_plain_reset_after_perturbations_is_unperturbed_again(world):
    sweep, base, env, reference = world
    env.reset(base)  # no perturbation at all: every model change must be gone with the rebuilt model
    assert _same(_look(env), reference)


def test_oracle_still_solves_the_task_at_top_layout_level(world):
    from vla_harness.harness.episode import run_episode
    from vla_harness.policies.oracle.policy import OraclePolicy

    sweep, base, env, _ = world
    spec = sweep.perturbed(base, "layout", 5)
    out = run_episode(env, OraclePolicy(), spec, sweep.protocol())
    print(f"oracle at layout-5: success {out.success} in {out.steps} steps, {out.time.wall_s:.1f} s")
    assert out.error is None and out.success is True


def test_show_perturbations_writes_a_grid(tmp_path, capsys):
    from PIL import Image

    from vla_harness.cli.main import main

    out = tmp_path / "grid.png"
    args = ["show-perturbations", "--bench", "libero_spatial", "--task", "0", "--perturb", "noise,language",
            "--levels", "0,5", "--size", "64", "--out", str(out)]
    assert main(args) == 0
    width, height = Image.open(out).size
    assert width > 300 and height > 300
    assert main(["show-perturbations", "--bench", "fake", "--out", str(out)]) == 2
    assert "LIBERO suites" in capsys.readouterr().err
