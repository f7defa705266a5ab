"""What reports, plots and the viewer tell a reader must be true (issue #27 items 3, 7, 8, 9)."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from vla_harness.cli.main import main  # noqa: E402
from vla_harness.results.aggregate import Cell  # noqa: E402
from vla_harness.results.load import load_columns, load_run  # noqa: E402
from vla_harness.results.plots import _severity_panel, cell_text, make_plots, slug  # noqa: E402
from vla_harness.results.synthetic import record, write_run  # noqa: E402
from vla_harness.results.tables import clip  # noqa: E402
from vla_harness.results.view.overview import run_overview  # noqa: E402

LONG_REASON = ("background variant: scene background texture needs LIBERO-Plus assets.zip, which is not installed "
               "here; `vla-harness assets fetch libero_plus` downloads it")


def _pert(dim: str, i: int, difficulty: int = 1) -> dict:
    return {"dimension": dim, "difficulty": difficulty, "level": None, "variant_id": f"{dim}-{i}", "params": {}}


def _plus(tmp_path, name="plus", steps=220):
    ran = [record(name, "libero_plus", "libero_spatial", 0, 0, i % 2 == 0, perturbation=_pert(d, i))
           for i, d in enumerate(["camera", "camera", "language", "layout", "noise"])]
    skipped = [record(name, "libero_plus", "libero_spatial", 0, 0, None, error="skipped", perturbation=_pert(d, 10 + i))
               for i, d in enumerate(["light", "background", "background"])]
    skipped = [dataclasses.replace(r, error=dataclasses.replace(r.error, message=LONG_REASON)) for r in skipped]
    recs = [dataclasses.replace(r, spec=dataclasses.replace(r.spec, max_steps=steps)) for r in ran + skipped]
    return write_run(tmp_path, name, recs, bench="libero_plus", policy="zero")


def test_mean_label_counts_dimensions_that_ran_and_skip_reasons_are_whole_words(tmp_path, capsys):
    assert main(["report", str(_plus(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "Mean of 4 of 7 dimensions (unweighted; missing: robot_init, light, background)" in out
    assert "Mean of the 7" not in out
    note = next(ln for ln in out.splitlines() if "episodes skipped" in ln)
    assert "3 episodes skipped" in note and "`vla-harness assets fetch libero_plus` downloads it" in note


def test_clip_never_cuts_a_word():
    assert clip("background variant: scene texture", 24) == "background variant…"
    assert clip("short", 24) == "short" and len(clip("x" * 50, 10)) == 10
    assert clip("pick_up_the_black_bowl_next_to_the_ramekin", 30) == "pick_up_the_black_bowl_next…"


def test_viewer_shows_the_max_steps_the_episodes_ran(tmp_path):
    run = load_run(_plus(tmp_path, steps=220))
    assert run.manifest.protocol["max_steps"] == 100  # the synthetic protocol says otherwise
    assert run_overview(run, "zero")["max_steps"] == "220"


def test_report_out_writes_files_and_prints_only_where(tmp_path, capsys):
    out_dir = tmp_path / "rep"
    assert main(["report", str(_plus(tmp_path)), "--out", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out_dir / 'report.md'}") and "|" not in printed and len(printed) < 300
    assert (out_dir / "plots" / "libero_plus_by_dimension.pdf").is_file()


def test_rates_read_the_same_in_eval_and_report(tmp_path, capsys):
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0", "--trials", "2", "--out",
                 str(tmp_path), "--name", "z", "--no-progress"]) == 0
    eval_out = capsys.readouterr().out
    assert main(["report", str(tmp_path / "z")]) == 0
    report_out = capsys.readouterr().out
    assert "| 0.0%" in eval_out and "| 0.0%" in report_out


def test_plots_pdf_beside_png_safe_names_and_labelled_cells(tmp_path):
    sweep = [record("sw", "libero_spatial", "libero_spatial", 0, t, False, task_name="pick up the black bowl "
                    "between the plate and the ramekin and place it on the plate",
                    perturbation={"dimension": "camera", "level": 3, "params": {}}) for t in range(2)]
    sw = write_run(tmp_path, "sw", sweep, bench="libero_spatial", policy="zero",
                   bench_options={"perturb": "camera", "levels": "3"})
    paths = make_plots(load_columns([sw]), tmp_path / "plots")
    names = [p.name for p in paths]
    assert "success_by_task_libero_spatial_perturbation_sweep.png" in names
    assert all(" " not in n and "(" not in n for n in names) and all(p.with_suffix(".pdf").is_file() for p in paths)
    assert cell_text(Cell(0, 2, 0)) == "0%" and cell_text(Cell(0, 0, 0, skipped=3)) == "skipped"
    assert cell_text(Cell(0, 0, 0)) == "not run" and slug("a (b) c") == "a_b_c"
    fake = write_run(tmp_path, "fake", [record("fake", "fake", "reach", 0, 0, True)], bench="fake", policy="zero")
    assert main(["report", str(sw), str(fake), "--format", "csv", "--out", str(tmp_path / "csv"), "--no-plots"]) == 0
    csvs = [p.name for p in (tmp_path / "csv").iterdir()]
    assert "success_by_task_libero_spatial_perturbation_sweep.csv" in csvs and not [n for n in csvs if " " in n]
    fig, ax = plt.subplots()
    _severity_panel(ax, load_columns([sw]), "libero_spatial", "camera")  # one level: a point mid-axis
    assert ax.get_xlim() == (2.5, 3.5) and list(ax.get_xticks()) == [3]
    plt.close(fig)


def test_protocol_mismatch_is_one_short_line(tmp_path, capsys):
    a = write_run(tmp_path, "a", [record("a", "fake", "reach", 0, 0, True)], bench="fake")
    b = write_run(tmp_path, "b", [record("b", "fake", "reach", 0, 0, True)], bench="fake", max_steps=7,
                  bench_options={"noise": "x" * 2000, "more": 1, "and": 2})
    assert main(["report", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and len(err) < 500 and "(and 2 more)" in err


def test_version_and_a_benchmarks_tasks(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.startswith("vla-harness 0.1.0 (git ")
    assert main(["list", "fake"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("fake: ") and " reach " in out and "  0  " in out
