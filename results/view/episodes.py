"""The episode table as one compact columnar blob: numbers as arrays, text columns as a dictionary plus codes.

10,030 LIBERO-Plus episodes make a few hundred kB this way (repeated task names and instructions are stored once),
and the page filters by comparing small integers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import dedupe, is_skipped
from vla_harness.results.robustness import dimension, level
from vla_harness.results.view.overview import blame

SUCCESS, FAILURE, SKIPPED = "success", "failure", "skipped"

# name -> what the column holds; "text" columns are dictionary-coded, "num" columns are plain numbers (or null).
FIELDS: dict[str, str] = {
    "run": "num", "key": "text", "bench": "text", "suite": "text", "task_id": "num", "task": "text",
    "instruction": "text", "trial": "num", "seed": "num", "dimension": "text", "level": "num", "variant": "text",
    "outcome": "text", "error_kind": "text", "error_blame": "text", "error": "text", "steps": "num",
    "wall_s": "num", "sim_s": "num", "render_s": "num", "policy_s": "num", "overhead_s": "num", "attempts": "num",
    "video": "text",
}


def outcome(rec: EpisodeRecord) -> str:
    """success / failure / skipped / the error kind: what the episode table's outcome filter offers."""
    if rec.error is None:
        return SUCCESS if rec.success else FAILURE
    return SKIPPED if is_skipped(rec) else rec.error.kind


def episode_row(run: int, rec: EpisodeRecord, attempts: int, video: str | None) -> dict[str, Any]:
    s, t, err = rec.spec, rec.time, rec.error
    variant = s.perturbation.variant_id if s.perturbation else None
    return {
        "run": run, "key": rec.key, "bench": s.bench, "suite": s.suite, "task_id": s.task_id, "task": s.task_name,
        "instruction": s.instruction, "trial": s.trial, "seed": s.seed, "dimension": dimension(rec),
        "level": level(rec), "variant": variant, "outcome": outcome(rec),
        "error_kind": err.kind if err else None, "error_blame": blame(err.kind) if err else None,
        "error": err.message[:300] if err else None, "steps": rec.steps,
        "wall_s": round(t.wall_s, 3), "sim_s": round(t.sim_s, 3), "render_s": round(t.render_s, 3),
        "policy_s": round(t.policy_s, 3), "overhead_s": round(t.overhead_s, 3), "attempts": attempts,
        "video": video,
    }


def run_rows(run: int, records: Sequence[EpisodeRecord],
             videos: Callable[[EpisodeRecord], str | None]) -> list[dict[str, Any]]:
    """One row per episode key (the attempt the tables count), with how many attempts the run stored for it."""
    attempts = Counter(r.key for r in records)
    return [episode_row(run, r, attempts[r.key], videos(r)) for r in dedupe(records)]


def text_column(values: Sequence[Any]) -> dict[str, Any]:
    """{"d": distinct values, "c": codes}; without "c" when one value fills the column (d[0] for every row) or
    when every row has its own (row i is d[i]): keys and variant ids would otherwise carry 0..n-1 for nothing."""
    codes: dict[Any, int] = {}
    coded = [codes.setdefault(v, len(codes)) for v in values]
    if len(codes) == 1 or len(codes) == len(values):
        return {"d": list(codes)}
    return {"d": list(codes), "c": coded}


def columnar(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """{"n": rows, "cols": {name: [numbers] | text_column}}."""
    cols = {name: [row[name] for row in rows] if kind == "num" else text_column([row[name] for row in rows])
            for name, kind in FIELDS.items()}
    return {"n": len(rows), "cols": cols}
