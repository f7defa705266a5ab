"""`compare` as a CI gate: it never says OK when it cannot judge, speaks Markdown and JSON, says its exit codes, and
`plan` sizes runs from a stored baseline."""

from __future__ import annotations

import json

import pytest

from vla_harness.cli.main import build_parser, main
from vla_harness.results.synthetic import record, write_run


def _runs(tmp_path, n, base_ok=True, cand_ok=False, tasks=1, **cand_run):
    base = [record("base", "fake", "s", i % tasks, i, base_ok) for i in range(n)]
    cand = [record("cand", "fake", "s", i % tasks, i, cand_ok) for i in range(n)]
    return (str(write_run(tmp_path, "base", base, bench="fake")),
            str(write_run(tmp_path, "cand", cand, bench="fake", **cand_run)))


@pytest.mark.parametrize("pairs", [1, 3, 5])
def test_a_few_pairs_100_to_0_cannot_be_judged_and_say_the_minimum_sample(tmp_path, capsys, pairs):
    b, c = _runs(tmp_path, pairs)
    assert main(["compare", b, c]) == 3
    out = capsys.readouterr().out
    verdict = out.strip().splitlines()[-1]
    assert verdict.startswith("CANNOT JUDGE") and "episodes per task" in verdict and "-> exit 3" in verdict
    assert "--allow-underpowered" in verdict and "minimum detectable drop: none" in out
    assert main(["compare", b, c, "--allow-underpowered"]) == 0
    assert "OK (UNDERPOWERED" in capsys.readouterr().out


def test_a_clear_regression_is_one_even_on_a_small_sample(tmp_path, capsys):
    b, c = _runs(tmp_path, 12)  # 12 of 12 lost: exact McNemar p = 0.0005
    assert main(["compare", b, c]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("REGRESSION")


def test_one_broken_task_among_ten_is_a_regression(tmp_path, capsys):
    base = [record("base", "fake", "s", t, i, True) for t in range(10) for i in range(50)]
    cand = [record("cand", "fake", "s", t, i, t != 3) for t in range(10) for i in range(50)]
    b, c = (str(write_run(tmp_path, n, r, bench="fake")) for n, r in (("base", base), ("cand", cand)))
    assert main(["compare", b, c, "--format", "json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["overall"]["clustered"]["p"] > 0.05  # the clustered mean test alone would miss it
    assert [t["scope"] for t in body["broken_tasks"]] == ["fake/s/3"] and body["verdict"] == "REGRESSION"


def test_json_and_markdown_carry_the_verdict_and_the_exit_code(tmp_path, capsys):
    b, c = _runs(tmp_path, 3)
    assert main(["compare", b, c, "--format", "json"]) == 3
    body = json.loads(capsys.readouterr().out)
    assert body["verdict"] == "CANNOT JUDGE" and body["exit_code"] == 3 and body["paired"]
    assert body["power"]["enough"] is False and body["power"]["needed_per_task"] > 3
    assert body["overall"]["n_baseline"] == 3 and "McNemar" in body["tests"]
    assert main(["compare", b, c, "--format", "md"]) == 3
    md = capsys.readouterr().out
    assert md.startswith("### vla-harness compare: CANNOT JUDGE") and "| scope " in md and "**CANNOT JUDGE" in md


def test_a_refusal_in_markdown_still_says_why_on_stdout_and_one_line_on_stderr(tmp_path, capsys):
    b, c = _runs(tmp_path, 20, cand_ok=True, max_steps=50, bench_options={"protocol": "openpi", "env_seed": 7})
    assert main(["compare", b, c, "--format", "md"]) == 3
    captured = capsys.readouterr()
    assert captured.out.startswith("### vla-harness compare: REFUSED")
    line = captured.err.strip()
    assert "\n" not in line and len(line) < 400, line
    assert "config.bench_options.env_seed: None vs 7" in line and "config.max_steps: None vs 50" in line
    assert "and 1 more" in line and "--allow-protocol-mismatch" in line


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["compare", "--help"])
    out = capsys.readouterr().out
    for line in ("0  OK", "1  REGRESSION", "2  bad input", "3  no verdict: CANNOT JUDGE", "4  compare itself crashed"):
        assert line in out


def test_plan_from_a_stored_baseline_says_episodes_time_and_what_the_baseline_detects(tmp_path, capsys):
    recs = [record("base", "fake", "s", t, i, i % 4 != 0, finished_at=1000.0 + 2 * (10 * t + i)) for t in range(5)
            for i in range(10)]
    base = write_run(tmp_path, "base", recs, bench="fake")
    assert main(["plan", "--baseline", str(base), "--drop", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "episodes per task: " in out and "5 tasks" in out and "mean success 70.0%" in out
    assert "episodes/hour, the baseline run's own rate (50 episodes in 99 s" in out
    assert "the baseline as it is (5 tasks, 50 episodes)" in out
    assert main(["plan", "--baseline", str(base), "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["episodes_per_run"] == body["episodes_per_task"] * 5 and body["hours_per_run"] > 0


@pytest.mark.parametrize("args, says", [
    (["--rate", "0.7", "--baseline", "x"], "either --baseline"),
    ([], "either --baseline"),
    (["--rate", "1.5"], "--rate"),
    (["--rate", "0.7", "--drop", "0.01"], "--drop must be above --tolerance"),
    (["--rate", "0.7", "--power", "0.3"], "--power"),
])
def test_plan_refuses_bad_input_in_one_line(capsys, args, says):
    assert main(["plan", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
