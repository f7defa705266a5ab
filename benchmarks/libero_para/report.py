"""What reports need to know about LIBERO-Para (BenchProtocol.report; results/facts.py reads it from the manifest)."""

from __future__ import annotations

from vla_harness.benchmarks.libero_para.catalog import ACTION_TYPES, ALPHA, AXES, OBJECT_TYPES

PAPER_SOURCE = ("arXiv 2603.28301 (LIBERO-Para): its LIBERO-Goal vs LIBERO-Para success table and its PRIDE table, "
                "as on the project page (cau-hai-lab/LIBERO-Para@6b3d1e8 index.html); 5 seeds averaged")

REPORT_FACTS = {
    "title": "LIBERO-Para",
    "dimensions": list(AXES),
    "level_name": "level",
    # The paper's heatmap: object paraphrase type (rows) x action paraphrase type (columns); none x none = base.
    "grid": {"rows": "object", "cols": "action", "row_order": list(OBJECT_TYPES), "col_order": list(ACTION_TYPES),
             "title": "object paraphrase type × action paraphrase type (the paper's heatmap)"},
    "weighted": {"name": "PRIDE", "param": "pd",
                 "note": f"PRIDE (alpha = {ALPHA}) = sum(success x PD) / sum(PD) x 100 over the paraphrased episodes, "
                         "PD = 1 - (alpha S_K + (1 - alpha) S_T) from the official metadata (LIBERO-Para "
                         "metrics/README.md)"},
    "paper": {"title": "LIBERO-Para: success rate (%) on LIBERO-Goal and under paraphrase, the drop and PRIDE",
              "source": PAPER_SOURCE,
              "columns": [{"metric": "libero_goal", "header": "LIBERO-Goal SR", "baseline": True},
                          {"metric": "libero_para", "header": "LIBERO-Para SR"},
                          {"metric": "drop", "header": "Drop (pts)", "drop": True},
                          {"metric": "pride", "header": "PRIDE", "weight": "pd"}]},
}
