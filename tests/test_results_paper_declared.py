"""A paper table a benchmark declares in its report block (results/paper_declared.py): simpler_google's SimplerEnv
layout, visual matching and variant aggregation side by side, built from the manifest alone, with the cited
published rows (a missing column or average computed from the same row, marked †)."""

from __future__ import annotations

import json

from tests.test_results_report import _row
from vla_harness.benchmarks.simpler.official import google_tasks as gt
from vla_harness.benchmarks.simpler.official.protocol import PAPER_TABLE
from vla_harness.results.load import load_columns
from vla_harness.results.paper import PUBLISHED_CSV
from vla_harness.results.report import build_tables, render
from vla_harness.results.synthetic import record, write_run

RATES = {"pick_horizontal_coke_can": 1.0, "pick_vertical_coke_can": 0.5, "pick_standing_coke_can": 0.0,
         "move_near": 0.25, "open_drawer": 0.5, "close_drawer": 1.0, "put_apple_in_drawer": 0.0}


def _google_run(tmp_path, suites=(gt.VISUAL, gt.VARIANT)):
    recs = [record("g", "simpler_google", suite, gt.TASK_NAMES.index(task), i, i < 4 * rate, task_name=task)
            for suite in suites for task, rate in RATES.items() for i in range(4)]
    run = write_run(tmp_path, "g", recs, bench="simpler_google", policy="octo")
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["protocol"]["report"] = {"paper_table": PAPER_TABLE}  # as simpler_google's protocol states it
    (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def test_the_declared_table_with_measured_and_published_rows(tmp_path):
    tables = {t.name: t for t in build_tables(load_columns([_google_run(tmp_path)]), PUBLISHED_CSV)}
    table = tables["paper_simpler_google"]
    assert table.columns[:5] == ["VM: Pick coke can", "VM: Move near", "VM: Open/close drawer", "VM: Apple in drawer",
                                 "VM: Average"] and table.columns[5] == "VA: Pick coke can"
    text = render([table], "md")
    measured = _row(text, "| octo ")
    assert measured[1] == "measured here (n=56)"
    # coke = mean of the 3 orientations (50), drawer = mean of open and close (75), average of 4 columns (37.5)
    # columns: policy, kind, protocol, then the values
    assert [measured[i].split()[0].rstrip("%") for i in (3, 4, 5, 6, 7)] == ["50.0", "25.0", "75.0", "0.0", "37.5"]
    rt1 = _row(text, "| RT-1 (Converged) ")
    assert rt1[1].startswith("published") and rt1[3] == "85.7%" and rt1[5] == "73.1%†" and rt1[7] == "52.4%†"
    assert "simpler_env/utils/metrics.py" in rt1[-1] and not any("| VLA-JEPA " in line for line in text.splitlines())


def test_a_suite_not_run_leaves_its_columns_empty(tmp_path):
    text = render([t for t in build_tables(load_columns([_google_run(tmp_path, (gt.VISUAL,))]), PUBLISHED_CSV)
                   if t.name == "paper_simpler_google"], "md")
    measured = _row(text, "| octo ")
    assert measured[7].startswith("37.5") and all(v.strip() in ("", "–", "-") for v in measured[8:13])
