"""What a run says while it runs (issue #27 items 3-5, 9): its plan up front, plain progress lines outside a
terminal (skips apart from errors), the real run path on Ctrl-C, and summary.json beside the records."""

from __future__ import annotations

import io
import json

from tests.fixtures import InterruptingPolicy
from vla_harness.cli.main import main
from vla_harness.harness.progress import RunProgress
from vla_harness.results.synthetic import record


def test_skipped_episodes_are_not_errors_in_the_progress_line():
    stream = io.StringIO()  # not a terminal: plain lines
    with RunProgress(5, "libero_plus × zero", stream=stream) as bar:
        for t, kind in enumerate(["skipped", "skipped", "skipped", None, "env_error"]):
            bar.update(record("r", "libero_plus", "libero_spatial", 0, t, True if kind is None else None, error=kind))
    last = stream.getvalue().splitlines()[-1]
    assert "5/5 episodes" in last and "success 100.0% (1/1) [20.7, 100.0]" in last
    assert "policy faults 0, errors env 1 infra 0, skipped 3" in last and "ETA" in last
    assert "errors 3" not in bar._stats() and "skipped 3" in bar._stats()  # the live bar's text says the same


def test_eval_says_its_plan_first_and_prints_plain_lines_without_a_terminal(tmp_path, capsys):
    args = ["eval", "--bench", "fake", "--policy", "random", "--tasks", "0-4", "--trials", "4", "--out", str(tmp_path)]
    assert main([*args, "--name", "first", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert err.index("plan: 20 episodes of fake × random: reach tasks 0-4; max steps 40") < err.index("run directory")
    assert "no earlier run of this policy on this benchmark" in err
    lines = [ln for ln in err.splitlines() if ln.startswith("[fake × random] ")]
    assert len(lines) == 10 and lines[-1].startswith("[fake × random] 20/20 episodes · success ")
    assert main([*args, "--name", "second"]) == 0  # an earlier run measured a rate: the plan gives a time
    assert f"per episode (measured over 20 episodes of {tmp_path / 'first'})" in capsys.readouterr().err


def test_ctrl_c_names_the_run_to_resume_and_leaves_a_summary(tmp_path, capsys):
    InterruptingPolicy.acted = 0
    code = main(["eval", "--bench", "fake", "--policy", "tests.fixtures:InterruptingPolicy", "--tasks", "0-1",
                 "--trials", "2", "--out", str(tmp_path), "--name", "stopped", "--no-progress"])
    assert code == 130
    run = tmp_path / "stopped"
    assert f"`vla-harness resume {run}` finishes the run" in capsys.readouterr().err
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "stopped" and summary["planned"] == 4 and summary["recorded"] == 1
    assert summary["overall"]["n"] == 1 and summary["policy"]["name"] == "scripted"


def test_summary_json_beside_the_records_matches_the_table(tmp_path, capsys):
    assert main(["eval", "--bench", "fake", "--policy", "random", "--tasks", "0,1", "--trials", "3", "--out",
                 str(tmp_path), "--name", "r", "--no-progress"]) == 0
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    overall = summary["overall"]
    assert summary["status"] == "finished" and overall["n"] == 6 and summary["policy"]["label"] == "random"
    rate = f"{100 * overall['successes'] / 6:.1f}%"
    ci = f"[{100 * overall['ci95'][0]:.1f}, {100 * overall['ci95'][1]:.1f}]"
    assert f"| {rate}" in out and ci in out and summary["errors_by_blame"] == {}
