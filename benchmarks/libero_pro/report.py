"""What reports need to know about LIBERO-PRO (BenchProtocol.report; results/facts.py reads it from the manifest)."""

from __future__ import annotations

from vla_harness.benchmarks.libero_pro.catalog import AXES, LEADERBOARD_ORDER, SHORT, SUITE_SHORT

LEADERBOARD = ("official leaderboard, README of Zxy-MLlab/LIBERO-PRO@2b910b5 (arXiv 2510.03827): per suite, the "
               "success rate under each of the five perturbations; Total = mean of the cells it has")

# The leaderboard's layout: four suite groups (Goal, Spatial, 10, Object) of Obj, Pos, Sem, Task, Env, then Total.
PAPER_COLUMNS = [{"metric": f"{suite}/{axis}", "header": f"{SUITE_SHORT[suite]} {SHORT[axis]}", "suite": suite,
                  "dimension": axis} for suite in LEADERBOARD_ORDER for axis in AXES]
PAPER_COLUMNS.append({"metric": "total", "header": "Total", "mean_of_columns": True})

REPORT_FACTS = {
    "title": "LIBERO-PRO",
    "dimensions": list(AXES),
    "level_name": "level",
    "paper": {"title": "LIBERO-PRO: success rate (%) per suite and perturbation (the official leaderboard's layout)",
              "source": LEADERBOARD, "columns": PAPER_COLUMNS},
}
