"""Real LIBERO-PRO episodes, a few steps each: the generated environment suite is what the official generation gives
and its scene is sane; perturbed scenes differ from their base as the axis says; a CLI run records paired episodes."""

import dataclasses

import numpy as np
import pytest

from vla_harness.benchmarks.libero_pro import envgen
from vla_harness.benchmarks.libero_pro.bench import LiberoProBenchmark
from vla_harness.cli.main import main
from vla_harness.harness.protocols import BenchSelection
from vla_harness.results.load import load_run

pytestmark = pytest.mark.sim
TASK = "put_the_bowl_on_the_plate"  # libero_goal task 8


def _episodes(axes, task=8, suite="libero_goal"):
    bench = LiberoProBenchmark(axes=axes)
    return bench, {s.perturbation.dimension: s for s in
                   bench.episodes(BenchSelection(suites=(suite,), tasks=(task,), trials=1), 0)}


def _scene(bench, spec, steps=10):
    env = bench.make_env(spec)
    try:
        env.reset(spec)
        for _ in range(steps):
            result = env.step(np.array([0, 0, 0, 0, 0, 0, -1.0]))
        return env.privileged_state(), env.env.env.sim.data.qpos.copy(), result.success
    finally:
        env.close()


def test_shipped_environment_states_are_the_official_generation():
    assert envgen.check(n=2, only=f"libero_goal_env/{TASK}") == []


def test_environment_scene_is_sane_and_differs_from_base_only_in_the_room():
    bench, specs = _episodes("environment")
    base, base_q, base_done = _scene(bench, specs["none"])
    env, env_q, env_done = _scene(bench, specs["environment"])
    assert not base_done and not env_done  # nothing is solved by standing still
    assert env["object"] == base["object"] and env["target"] == base["target"]
    lifted = env["object_pos"][2] - base["object_pos"][2]  # another table, another height; the bowl rests on it
    assert abs(env["object_aabb"][0][2] - env["target_aabb"][0][2]) < 0.05 and abs(lifted) < 0.5
    assert not np.allclose(base_q, env_q)


def test_position_axis_swaps_where_objects_start():
    bench, specs = _episodes("position", task=0, suite="libero_spatial")
    base, _, _ = _scene(bench, specs["none"], steps=1)
    swapped, _, _ = _scene(bench, specs["position"], steps=1)
    assert swapped["target"] == base["target"] == "plate_1"  # its BDDL swaps the plate with the cookie box
    assert np.linalg.norm(np.subtract(swapped["target_pos"][:2], base["target_pos"][:2])) > 0.05


def test_cli_run_records_paired_episodes_and_prints_the_drop(tmp_path, capsys):
    assert main(["eval", "--bench", "libero_pro", "--policy", "zero", "--suites", "libero_goal", "--tasks", "8",
                 "--axes", "object,semantic", "--trials", "1", "--max-steps", "3", "--out", str(tmp_path),
                 "--name", "r", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "drop vs base, paired" in out and "| semantic" in out
    recs = {r.spec.perturbation.dimension: r for r in load_run(tmp_path / "r").records}
    assert set(recs) == {"none", "object", "semantic"} and all(r.error is None for r in recs.values())
    assert recs["semantic"].spec.instruction != recs["none"].spec.instruction
    assert dataclasses.asdict(recs["object"].spec)["seed"] == recs["none"].spec.seed


def test_oracle_solves_a_generated_environment_scene_and_success_is_detected(tmp_path, capsys):
    assert main(["eval", "--bench", "libero_pro", "--policy", "oracle", "--suites", "libero_goal", "--tasks", "8",
                 "--axes", "environment", "--trials", "1", "-B", "base=false", "--out", str(tmp_path), "--name", "o",
                 "--no-progress"]) == 0
    (rec,) = load_run(tmp_path / "o").records
    assert rec.spec.perturbation.dimension == "environment" and rec.error is None
    assert rec.success and rec.steps < 300  # the env's own done ended it before the 300 steps
