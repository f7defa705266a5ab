"""Page data for the run overview and the report's tables: every cell already formatted by results/tables.py."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Sequence

from vla_harness.harness.errors import blame_of
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, dedupe
from vla_harness.results.load import RunData
from vla_harness.results.tables import Estimate, Mean, Pct, Table, Value, parts

NOT_RECORDED = "not recorded"


def blame(kind: str) -> str:
    """Who an error kind blames: policy, env, infra or skip (harness/errors.py; unknown kinds are infra)."""
    return blame_of(kind).value


def errors_by_kind(records: Sequence[EpisodeRecord]) -> list[dict[str, Any]]:
    """Counted on the deduplicated records, as the tables count them: one entry per error kind."""
    kinds = Counter(r.error.kind for r in records if r.error is not None)
    return [{"kind": k, "blame": blame(k), "n": n} for k, n in sorted(kinds.items())]


def policy_version(run: RunData) -> str:
    """The adapter version(s) the records name (schema 2 on), else 'not recorded' (older runs)."""
    versions = sorted({str(r.policy.version) for r in run.records if r.policy and r.policy.version is not None})
    return ", ".join(versions) or NOT_RECORDED


def max_steps_run(records: Sequence[EpisodeRecord]) -> str | None:
    """The max steps the episodes really ran with (e.g. 220, or 220/280 over suites); None without records."""
    values = sorted({r.spec.max_steps for r in records})
    return "/".join(str(v) for v in values) or None


def run_overview(run: RunData, label: str) -> dict[str, Any]:
    """Manifest essentials of one run, plus what its records say (planned vs recorded, errors by kind)."""
    cfg, manifest = run.config, run.manifest
    recs = dedupe(run.records)
    protocol = manifest.protocol
    return {
        "label": label, "path": str(run.path), "run_id": manifest.run_id or run.path.name,
        "bench": run.bench, "suites": cfg.get("suites"), "tasks": cfg.get("tasks"),
        "policy": cfg.get("policy"), "policy_version": policy_version(run),
        "checkpoint": run.identity.checkpoint, "identity": run.identity.describe(),
        "protocol_name": protocol.get("name"), "protocol_hash": run.protocol_hash,
        "max_steps": max_steps_run(recs) or cfg.get("max_steps") or protocol.get("max_steps"),
        "seed": cfg.get("seed"), "status": manifest.status or NOT_RECORDED,
        "planned": manifest.n_episodes, "recorded": len(recs), "attempts": len(run.records),
        "finished": sum(1 for r in recs if r.error is None), "errors": errors_by_kind(recs),
        "packages": manifest.packages, "harness_version": manifest.harness_version,
        "git": manifest.git, "created_at": manifest.created_at, "machine": manifest.machine,
        "bench_options": cfg.get("bench_options") or {}, "policy_options": cfg.get("policy_options") or {},
    }


def _rate(v: Value) -> float | None:
    """The rate a cell's bar shows (a fraction); None where there is none."""
    if isinstance(v, Cell) and v.n:
        return round(v.rate, 6)
    if isinstance(v, Mean) and v.n and not math.isnan(v.rate):
        return round(v.rate, 6)
    if isinstance(v, Pct) and v.value is not None:
        return round(v.value / 100, 6)
    if isinstance(v, Estimate) and v.n and v.lo is None:  # a weighted rate; a drop (with its interval) has no bar
        return round(v.value, 6)
    return None


def value_json(v: Value) -> dict[str, Any]:
    """One value cell: the report's own texts (success %, CI, n, policy faults, errors) and the rate for its bar."""
    success, ci, n, faults, errors = parts(v)
    out: dict[str, Any] = {"s": success, "r": _rate(v)}
    if isinstance(v, (Cell, Mean, Estimate)):
        out.update(ci=ci, n=n, f=faults, e=errors)
    return out


def table_json(t: Table) -> dict[str, Any]:
    return {"name": t.name, "title": t.title, "index": t.index, "columns": t.columns, "tail": t.tail,
            "rows": [{"labels": r.labels, "values": [value_json(v) for v in r.values], "tail": r.tail,
                      "rule": r.rule} for r in t.rows],
            "notes": t.notes}
