"""summary.json beside the records: a run's headline numbers for tools (CI, dashboards) that do not parse records.

Written by `eval` and `resume` when they end (finished, stopped or interrupted) from the records, which stay the
truth; docs/schema.md describes the fields. Nothing in the harness reads it back.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from vla_harness.harness.errors import blame_of
from vla_harness.results.aggregate import Cell, count, dedupe, group
from vla_harness.results.load import load_run

SUMMARY = "summary.json"
SUMMARY_VERSION = 1


def cell_json(cell: Cell) -> dict[str, Any]:
    lo, hi = cell.ci
    return {"successes": cell.successes, "n": cell.n, "rate": None if not cell.n else round(cell.rate, 6),
            "ci95": None if not cell.n else [round(lo, 6), round(hi, 6)], "policy_faults": cell.policy_faults,
            "errors": cell.errors, "skipped": cell.skipped}


def run_summary(run_dir: Path) -> dict[str, Any]:
    run = load_run(run_dir)
    recs = dedupe(run.records)
    kinds = Counter(r.error.kind for r in recs if r.error is not None)
    blames = Counter()
    for kind, n in kinds.items():
        blames[blame_of(kind).value] += n
    ident = run.identity
    return {
        "summary_version": SUMMARY_VERSION, "run_id": run.manifest.run_id or run.path.name,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "status": run.manifest.status,
        "bench": run.bench, "policy": {"label": ident.label, "name": ident.name, "version": ident.version,
                                       "identity": dict(ident.declared), "options": dict(ident.options)},
        "protocol": run.paper_protocol, "protocol_hash": run.protocol_hash,
        "planned": run.manifest.n_episodes, "recorded": len(recs), "overall": cell_json(count(recs)),
        "by_suite": {str(k): cell_json(v) for k, v in group(recs, lambda r: r.spec.suite).items()},
        "errors_by_kind": dict(sorted(kinds.items())), "errors_by_blame": dict(sorted(blames.items())),
    }


def write_summary(run_dir: Path) -> Path:
    """Atomically: a reader never sees half a file."""
    path, tmp = Path(run_dir) / SUMMARY, Path(run_dir) / f"{SUMMARY}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(run_summary(Path(run_dir)), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
