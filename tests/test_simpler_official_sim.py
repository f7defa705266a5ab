"""The official SimplerEnv stack for real: `vla-harness env setup simpler_official` fed the workplace's snapshot of
both repositories through a local server (tests/official_stack.py, once per session), then Google-robot pick-coke-can
and Bridge carrot episodes in the stack's child process (a few steps), renders counted in the simulator, the child's
seconds in the time split, and a child killed with SIGKILL: an env error that `resume` finishes."""

from __future__ import annotations

import json

import pytest

from tests.fixtures import kill_child_on_first_step
from vla_harness.cli.main import main
from vla_harness.cli.resolve import evaluate, resume
from vla_harness.harness.config import RunConfig
from vla_harness.harness.store import read_records
from vla_harness.results.summary import summary_table

pytestmark = pytest.mark.sim


def _coke(tmp_path, name, **kw):
    return RunConfig(bench="simpler_google", policy="zero", suites=["variant_aggregation"], tasks=[2],
                     trials=kw.pop("trials", 1), max_steps=kw.pop("max_steps", 4), out=str(tmp_path), name=name,
                     policy_options={"chunk": 2, "image_size": 64}, **kw)


def _child_time_is_in_the_split(rec) -> None:
    t = rec.time
    assert 0 < t.env_wire_s < t.wall_s and 0 < t.env_child_s < t.wall_s
    assert t.env_child_s + t.env_wire_s <= t.sim_s + t.render_s + 1e-3
    assert rec.metrics["env_process"].startswith("simpler_official pid ")


def test_setup_checks_every_file_against_the_pinned_commits(official_stack, capsys):
    record = json.loads((official_stack / "fetched.json").read_text())
    assert set(record) == {"simpler-env/ManiSkill2_real2sim", "simpler-env/SimplerEnv"}
    assert "84 files match the git blob ids of 4ab7178e83e8" in record["simpler-env/SimplerEnv"]["verified"]
    assert "files match the git blob ids of ef7a4d4fdf4b" in record["simpler-env/ManiSkill2_real2sim"]["verified"]
    overlay = official_stack / "src/ManiSkill2_real2sim/data/real_inpainting/bridge_real_eval_1.png"
    assert overlay.is_file()  # not in the snapshot: taken from the Bridge assets, its git blob id checked
    assert main(["env"]) == 0 and "simpler_official: ready" in capsys.readouterr().out


def test_google_robot_pick_coke_can_runs_in_the_stack_child_rendering_only_when_asked(official_stack, tmp_path):
    summary = evaluate(_coke(tmp_path, "coke"), progress=False)
    rec = summary.records[0]
    assert rec.error is None and rec.steps == 4 and rec.success is False
    assert rec.metrics["camera_renders"] == 2  # chunk 2 over 4 steps: two observations, no render in step()
    _child_time_is_in_the_split(rec)
    assert {"is_grasped", "lifted_object", "episode_n_lift_significant"} <= set(rec.metrics)
    assert rec.metrics["stage_stand_in"] is True
    assert summary_table([rec]).splitlines()[-1].startswith("note: scene stage is a flat-table stand-in")


def test_bridge_carrot_runs_through_the_official_stack(official_stack, tmp_path):
    cfg = RunConfig(bench="simpler_bridge", policy="zero", tasks=[0], trials=1, max_steps=3, out=str(tmp_path),
                    name="bridge", bench_options={"stack": "official"}, policy_options={"chunk": 3, "image_size": 64})
    rec = evaluate(cfg, progress=False).records[0]
    assert rec.error is None and rec.steps == 3 and rec.spec.task_name == "put_carrot_on_plate"
    assert rec.metrics["camera_renders"] == 1 and rec.metrics["stage_stand_in"] is True
    assert {"is_src_obj_grasped", "consecutive_grasp", "src_on_target", "success_any_step"} <= set(rec.metrics)
    _child_time_is_in_the_split(rec)
    manifest = json.loads((tmp_path / "bridge" / "manifest.json").read_text())
    assert manifest["protocol"]["extra"]["stack"].startswith("official")


def test_a_killed_child_is_an_env_error_and_resume_finishes(official_stack, tmp_path, monkeypatch):
    kill_child_on_first_step(monkeypatch)
    first = evaluate(_coke(tmp_path, "kill", max_steps=2, max_attempts=1), progress=False)
    error = first.records[0].error
    assert error.kind == "env_error" and "killed by signal 9" in error.message and "simpler_official" in error.message
    assert resume(tmp_path / "kill", progress=False).executed == 1
    (latest,) = {r.key: r for r in read_records(tmp_path / "kill")}.values()
    assert latest.error is None and latest.steps == 2
    _child_time_is_in_the_split(latest)
