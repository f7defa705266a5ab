"""`vla-harness report` and `export` on synthetic runs written through the real store; numbers checked by hand."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess

import pytest

from vla_harness.benchmarks.libero_plus.catalog import PUBLISHED_COUNTS as LIBERO_PLUS_VARIANTS
from vla_harness.cli.main import main
from vla_harness.results.load import ProtocolMismatch, check_protocols, load_columns
from vla_harness.results.paper import PUBLISHED_CSV, read_published
from vla_harness.results.plots import make_plots
from vla_harness.results.report import build_tables, render
from vla_harness.results.synthetic import record, write_run


def _fake_run(tmp_path, name="a", max_steps=None, policy="random"):
    recs = [record(name, "fake", "reach", 0, t, ok) for t, ok in enumerate([True, True, True, False])]
    recs += [
        record(name, "fake", "reach", 1, 0, None, error="policy_error"),
        record(name, "fake", "reach", 1, 0, True, attempt=2),  # retry succeeded: the success counts
        record(name, "fake", "reach", 1, 1, True),
        record(name, "fake", "reach", 1, 1, None, error="env_error", attempt=2),  # a later error never hides it
        record(name, "fake", "reach", 1, 2, None, error="timeout"),  # error only: errors column, not a failure
        record(name, "fake", "reach", 1, 3, None, error="skipped"),  # skipped: in no denominator
        record(name, "fake", "reach", 1, 4, False, metrics={"note": "stand-in asset"}),
    ]
    return write_run(tmp_path, name, recs, bench="fake", policy=policy, max_steps=max_steps)


def _row(text: str, label: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if label in ln)
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_report_counts_by_hand_errors_apart_and_truncated_line(tmp_path, capsys):
    run = _fake_run(tmp_path)
    with open(run / "episodes.jsonl", "a") as f:
        f.write('{"schema_version": 1, "run_id": "a", "key": "fake/re')  # a writer killed mid-line
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    # task 0: 3 of 4 -> 75.0 [30.1, 95.4] (Wilson by hand: centre 0.6275, half-width 0.3269)
    assert _row(out, "0: task_0")[3:] == ["75.0%", "[30.1, 95.4]", "4", "0", "0"]
    # task 1: trials 0, 1 succeed (latest non-error attempt), 4 fails; 2 is an error, 3 is skipped -> 2 of 3
    # 1 timeout of 4 episodes that ran: the cell is flagged (more than 5% errors)
    assert _row(out, "1: task_1")[3:] == ["66.7%!", "[20.8, 93.9]", "3", "0", "1"]
    assert "1 episodes skipped, not in any denominator" in out and "errors by kind: timeout 1" in out
    assert "note from the benchmark: stand-in asset" in out


def test_no_episodes_is_said_not_divided(tmp_path, capsys):
    run = write_run(tmp_path, "e", [record("e", "fake", "reach", 0, 0, None, error="worker_died")], bench="fake")
    assert main(["report", str(run)]) == 0
    assert _row(capsys.readouterr().out, "0: task_0")[3:] == ["no episodes!", "-", "0", "0", "1"]


def _plus_run(tmp_path, name="plus", policy="policyA"):
    def p(dim, diff, i):
        return {"dimension": dim, "difficulty": diff, "level": None, "variant_id": f"{dim}-{diff}-{i}", "params": {}}
    outcomes = [("camera", 1, True), ("camera", 1, True), ("camera", 2, False), ("camera", 2, False),
                ("language", 1, True), ("language", 1, True), ("language", 1, True), ("language", 2, True),
                ("language", 2, True), ("language", None, False)]
    recs = [record(name, "libero_plus", "libero_spatial", i % 3, 0, ok, perturbation=p(d, lv, i))
            for i, (d, lv, ok) in enumerate(outcomes)]
    return write_run(tmp_path, name, recs, bench="libero_plus", policy=policy)


def test_robustness_breakdowns_and_both_libero_plus_totals(tmp_path, capsys):
    assert main(["report", str(_plus_run(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| camera ")[1:3] == ["50.0%", "[15.0, 85.0]"]
    assert _row(out, "| language ")[1] == "83.3%"
    # both totals, labelled: 7 of 10 perturbed episodes; mean of the two dimension rates (50 + 83.3) / 2
    assert _row(out, "Total, variant-weighted (official leaderboard)")[1:4] == ["70.0%", "[39.7, 89.2]", "10"]
    mean = _row(out, "Mean of 2 of 7 dimensions (unweighted; missing: robot_init, light, background, noise, layout)")
    assert mean[1] == "66.7%"
    assert _row(out, "difficulty 1 ")[1:4] == ["100.0%", "[56.6, 100.0]", "5"]
    assert _row(out, "difficulty 2 ")[1] == "50.0%" and _row(out, "difficulty n/a")[1] == "0.0%"
    cam = _row(out, "| camera         |")  # dimension x difficulty matrix (compact cells)
    assert cam[1].startswith("100.0% [34.2, 100.0] n=2") and cam[2].startswith("0.0% [0.0, 65.8] n=2")


def test_native_sweep_level0_is_unperturbed_and_clean_runs_stay_apart(tmp_path, capsys):
    def rec(trial, dim, lv, ok):
        pert = {"dimension": dim, "level": lv, "params": {}, "difficulty": None, "variant_id": None}
        return record("sw", "libero_spatial", "libero_spatial", 0, trial, ok, perturbation=pert)
    sweep = [rec(0, "none", 0, True), rec(1, "none", 0, True), rec(0, "camera", 1, True), rec(1, "camera", 1, False),
             rec(0, "camera", 2, False), rec(1, "camera", 2, False), rec(0, "light", 1, True), rec(1, "light", 1, True)]
    sw = write_run(tmp_path, "sw", sweep, bench="libero_spatial", policy="policyA",
                   bench_options={"perturb": "camera,light", "levels": "0-2"})
    clean = [record("c", "libero_spatial", "libero_spatial", 0, t, t < 3) for t in range(4)]
    clean = write_run(tmp_path, "clean", clean, bench="libero_spatial", policy="policyB")
    assert main(["report", str(sw), str(clean)]) == 0  # a sweep and a clean run of one suite: not one protocol group
    out = capsys.readouterr().out
    assert _row(out, "| libero_spatial (perturbation sweep) ")[2:4] == ["62.5%", "[30.6, 86.3]"]  # 5 of 8
    assert _row(out, "| libero_spatial | libero_spatial |")[2:4] == ["75.0%", "[30.1, 95.4]"]  # the clean run
    assert _row(out, "(unperturbed)")[1] == "100.0%"
    assert _row(out, "| camera ")[1] == "25.0%" and _row(out, "| light ")[1] == "100.0%"
    assert _row(out, "All perturbed episodes (episode-weighted)")[1:4] == ["50.0%", "[18.8, 81.2]", "6"]
    assert _row(out, "Mean of 2 dimensions (unweighted)")[1] == "62.5%"
    assert _row(out, "level 0 (unperturbed)")[1] == "100.0%" and _row(out, "| level 1 ")[1] == "75.0%"
    camera = _row(out, "| camera         |")  # matrix: the shared level-0 episodes count for every dimension
    assert camera[1].startswith("100.0%") and camera[2].startswith("50.0%") and camera[4].startswith("25.0%")
    paper = _row(out, "measured here")  # the LIBERO paper table measures clean episodes only
    assert paper[:2] == ["policyB", "measured here (n=4)"] and out.count("measured here (n=") == 1


def test_side_by_side_and_paper_table_with_cited_published_rows(tmp_path):
    cols = load_columns([_plus_run(tmp_path, "p1", "policyA"), _plus_run(tmp_path, "p2", "policyB")])
    assert [c.label for c in cols] == ["policyA", "policyB"]
    tables = {t.name: t for t in build_tables(cols, PUBLISHED_CSV)}
    assert tables["robustness_libero_plus_dimension"].columns == ["policyA", "policyB"]
    paper = render([tables["paper_libero_plus"]], "md")
    openvla = _row(paper, "| OpenVLA ")
    assert openvla[1:4] == ["published", "libero", "0.8%"] and openvla[10] == "15.6%" and "2510.13626" in openvla[-1]
    assert _row(paper, "| policyA ")[1] == "measured here (n=10)" and "‡" in _row(paper, "| policyA ")[11]
    assert "not measured here" in paper and "Mean of 7 dims" in paper and "Total (variant-weighted)" in paper


def test_published_csv_is_cited_and_consistent():
    rows = read_published()
    assert rows and all(r.source for r in rows)
    board = {}
    for r in rows:
        if r.benchmark == "libero_plus" and r.source.startswith("LIBERO-Plus official leaderboard"):
            board.setdefault(r.policy, {})[r.metric] = r.value
    assert len(board) == 6
    for policy, m in board.items():  # the leaderboard total is the variant-weighted mean of its dimensions
        weighted = sum(m[d] * w for d, w in LIBERO_PLUS_VARIANTS.items()) / sum(LIBERO_PLUS_VARIANTS.values())
        assert abs(weighted - m["total_variant_weighted"]) < (1.1 if policy == "UniVLA" else 0.06), policy


def test_protocol_mismatch_is_refused_with_the_differing_fields(tmp_path, capsys):
    a, b = _fake_run(tmp_path, "a"), _fake_run(tmp_path, "b", max_steps=200, policy="zero")
    with pytest.raises(ProtocolMismatch, match=r"config.max_steps: None vs 200"):
        check_protocols(load_columns([a, b]))
    assert main(["report", str(a), str(b)]) == 2
    assert "max_steps" in capsys.readouterr().err
    assert main(["report", str(a), str(b), "--allow-protocol-mismatch"]) == 0
    assert "PROTOCOL MISMATCH (allowed)" in capsys.readouterr().out


def test_formats_files_and_latex_compiles(tmp_path, capsys):
    runs = [str(_plus_run(tmp_path, "p1", "policyA")), str(_fake_run(tmp_path))]
    for fmt in ("md", "latex", "csv"):
        assert main(["report", *runs, "--format", fmt, "--out", str(tmp_path / fmt), "--no-plots"]) == 0
    capsys.readouterr()
    assert "### Success by task (fake)" in (tmp_path / "md" / "report.md").read_text()
    with open(tmp_path / "csv" / "success_by_task_fake.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["random:successes"] == "3" and rows[0]["random:n"] == "4" and float(rows[0]["random:rate"]) == 0.75
    tex = (tmp_path / "latex" / "report.tex").read_text()
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == tex.count(r"\bottomrule") > 3
    assert r"\usepackage{booktabs}" in tex and r"\toprule" in tex and r"Total, variant-weighted" in tex
    rows = [ln[:-2].replace(" & ", " ") for ln in tex.splitlines() if ln.endswith(r"\\")]
    assert len(rows) > 20 and not [r for r in rows if re.search(r"(?<!\\)[_%#&]", r)], "unescaped LaTeX special"
    if shutil.which("pdflatex"):  # compile when a TeX install is present (not a project dependency)
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                              cwd=tmp_path / "latex", capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout[-2000:]


def test_plots_are_pngs(tmp_path):
    cols = load_columns([_plus_run(tmp_path, "p1", "policyA"), _plus_run(tmp_path, "p2", "policyB"),
                         _fake_run(tmp_path)])
    paths = make_plots(cols, tmp_path / "plots")
    names = sorted(p.name for p in paths)
    assert names == ["libero_plus_by_dimension.png", "libero_plus_vs_difficulty.png",
                     "success_by_task_fake.png", "success_by_task_libero_plus.png"]
    for p in paths:
        data = p.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_export_parquet_and_csv_all_attempts(tmp_path, capsys):
    import pandas as pd

    run = _fake_run(tmp_path)
    assert main(["export", str(run)]) == 0
    df = pd.read_parquet(run / "episodes.parquet")
    assert len(df) == 11 and int(df["used"].sum()) == 9  # 11 attempts, 9 episode keys
    used = df[df["used"]].set_index("key")
    assert bool(used.loc["fake/reach/1/none/0", "success"])
    assert used.loc["fake/reach/1/none/2", "error_kind"] == "timeout"
    assert main(["export", str(run), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "x.csv")) == 11
    assert "wrote" in capsys.readouterr().out
