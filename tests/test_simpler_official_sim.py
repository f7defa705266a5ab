"""The official SimplerEnv stack for real: `vla-harness env setup simpler_official` fed the workplace's snapshot of
both repositories through a local server (tests/official_stack.py), then Google-robot pick-coke-can episodes in the
stack's child process (a few steps), and a child killed with SIGKILL: an env error that `resume` finishes."""

from __future__ import annotations

import json

import pytest

from tests.fixtures import kill_child_on_first_step
from tests.official_stack import snapshot_mirror
from vla_harness.benchmarks.asset_cache import family_dir
from vla_harness.cli.main import main
from vla_harness.cli.resolve import evaluate, resume
from vla_harness.harness.config import RunConfig
from vla_harness.harness.store import read_records
from vla_harness.results.summary import summary_table

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def stack():
    with snapshot_mirror() as (files, url):
        assert main(["env", "setup", "simpler_official", "--mirror", url, "--no-progress"]) == 0
    return family_dir("simpler_official")


def _coke(tmp_path, name, **kw):
    return RunConfig(bench="simpler_google", policy="zero", suites=["variant_aggregation"], tasks=[2],
                     trials=kw.pop("trials", 1), max_steps=kw.pop("max_steps", 4), out=str(tmp_path), name=name,
                     policy_options={"chunk": 2, "image_size": 64}, **kw)


def test_setup_checks_every_file_against_the_pinned_commits(stack, capsys):
    record = json.loads((stack / "fetched.json").read_text())
    assert set(record) == {"simpler-env/ManiSkill2_real2sim", "simpler-env/SimplerEnv"}
    assert "84 files match the git blob ids of 4ab7178e83e8" in record["simpler-env/SimplerEnv"]["verified"]
    assert "files match the git blob ids of ef7a4d4fdf4b" in record["simpler-env/ManiSkill2_real2sim"]["verified"]
    assert main(["env"]) == 0 and "simpler_official: ready" in capsys.readouterr().out


def test_google_robot_pick_coke_can_runs_in_the_stack_child(stack, tmp_path):
    summary = evaluate(_coke(tmp_path, "coke"), progress=False)
    rec = summary.records[0]
    assert rec.error is None and rec.steps == 4 and rec.success is False
    assert rec.metrics["env_process"].startswith("simpler_official pid ")
    assert 0 < rec.metrics["env_wire_s"] < rec.time.wall_s
    assert {"is_grasped", "lifted_object", "episode_n_lift_significant"} <= set(rec.metrics)
    assert rec.metrics["stage_stand_in"] is True
    assert summary_table([rec]).splitlines()[-1].startswith("note: scene stage is a flat-table stand-in")


def test_a_killed_child_is_an_env_error_and_resume_finishes(stack, tmp_path, monkeypatch):
    kill_child_on_first_step(monkeypatch)
    first = evaluate(_coke(tmp_path, "kill", max_steps=2, max_attempts=1), progress=False)
    error = first.records[0].error
    assert error.kind == "env_error" and "killed by signal 9" in error.message and "simpler_official" in error.message
    assert resume(tmp_path / "kill", progress=False).executed == 1
    (latest,) = {r.key: r for r in read_records(tmp_path / "kill")}.values()
    assert latest.error is None and latest.steps == 2
