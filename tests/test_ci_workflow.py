"""The CI recipe cannot rot: every `run:` step of docs/ci/vla-regression.yml runs here, in order, as GitHub Actions runs
it (bash -eo pipefail, the workflow's env with the benchmark switched to `fake`), twice: a first job with no cached
baseline and an equal candidate (OK), then a job that restores the baseline and gets a worse candidate (REGRESSION,
the step's exit code 1 fails the job)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / "docs" / "ci" / "vla-regression.yml"
# What the `uses:` steps do on GitHub; here the runs folder persists between the two jobs like the cache
EMULATED = {"actions/checkout@v4", "actions/cache/restore@v4", "actions/cache/save@v4", "actions/upload-artifact@v4"}


def _steps() -> tuple[dict, list[dict]]:
    spec = yaml.safe_load(WORKFLOW.read_text())
    (job,) = spec["jobs"].values()
    return spec["env"], job["steps"]


def test_the_workflow_uses_only_steps_the_test_emulates_and_runs_plain_shell():
    env, steps = _steps()
    assert {s["uses"] for s in steps if "uses" in s} <= EMULATED
    for step in (s for s in steps if "run" in s):
        assert "${{" not in step["run"] and "if" not in step, step["name"]  # env vars only: nothing to substitute
    assert {"BENCH", "POLICY", "BASELINE_CHECKPOINT", "CANDIDATE_CHECKPOINT", "RUNS"} <= set(env)


def _job(tmp_path, candidate_skill: float) -> tuple[list[tuple[str, int, str]], str]:
    """Run the workflow's run: steps until one fails, as a fresh runner would (candidate run gone, baseline kept)."""
    env_block, steps = _steps()
    runs = tmp_path / "ci-runs"
    shutil.rmtree(runs / "candidate", ignore_errors=True)
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir(exist_ok=True)
    (ckpt / "baseline.json").write_text(json.dumps({"skill": 0.9}))
    (ckpt / "candidate.json").write_text(json.dumps({"skill": candidate_skill}))
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env = {**os.environ, **{k: str(v) for k, v in env_block.items()},
           "BENCH": "fake", "TASKS": "0-9", "TRIALS": "30", "RUNNER": "local", "WORKERS": "1", "RUNS": str(runs),
           "POLICY": "tests.ci_policy:SkillPolicy", "BASELINE_CHECKPOINT": str(ckpt / "baseline.json"),
           "CANDIDATE_CHECKPOINT": str(ckpt / "candidate.json"), "PYTHONPATH": str(ROOT),
           "GITHUB_STEP_SUMMARY": str(summary)}
    done = []
    for step in (s for s in steps if "run" in s):
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
        done.append((step["name"], proc.returncode, proc.stdout + proc.stderr))
        if proc.returncode:
            break
    return done, summary.read_text()


@pytest.mark.timeout(900)
def test_every_run_step_passes_on_fake_then_a_worse_candidate_fails_the_job(tmp_path):
    done, summary = _job(tmp_path, candidate_skill=0.9)
    names = [s["name"] for s in _steps()[1] if "run" in s]
    assert [(name, rc) for name, rc, _ in done] == [(name, 0) for name in names], done[-1][2][-3000:]
    assert "baseline restored" not in done[1][2]
    assert summary.startswith("### vla-harness compare: OK") and "What this baseline can detect" in summary
    assert "episodes per task" in summary

    done, summary = _job(tmp_path, candidate_skill=0.5)  # the cache holds the baseline now
    assert "baseline restored from the cache" in done[1][2]
    assert [rc for _, rc, _ in done] == [0] * (len(done) - 1) + [1] and done[-1][0].startswith("Compare")
    assert summary.startswith("### vla-harness compare: REGRESSION") and "**REGRESSION" in summary
