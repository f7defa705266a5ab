"""The episode metrics a benchmark declares (e.g. SimplerEnv's partial successes) and the actions it had to clip.

Which metrics exist and what they mean comes from the runs' manifests (results/facts.py): a declared metric's cell
is the share of finished episodes (no error) where it is true. `actions_out_of_range` (harness/episode.py) counts
the executed actions outside the protocol's `action_bounds`; its row is the share of episodes with any.
"""

from __future__ import annotations

from typing import Callable, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, is_rerun_error
from vla_harness.results.facts import facts_of
from vla_harness.results.load import Column, bench_label
from vla_harness.results.tables import Row, Table

OUT_OF_RANGE = "actions_out_of_range > 0"
NOTE = ("Each cell: the share of episodes where the metric is true, among those that finished without an error. "
        f"'{OUT_OF_RANGE}': episodes that executed an action outside the benchmark's declared action range, which the "
        "simulator clipped (an unnormalised policy shows here); the records hold the count per episode.")


def _cell(recs: Sequence[EpisodeRecord], holds: Callable[[EpisodeRecord], bool | None]) -> Cell:
    finished = [r for r in recs if r.error is None]
    known = [v for v in map(holds, finished) if v is not None]
    return Cell(successes=sum(bool(v) for v in known), n=len(known), errors=sum(map(is_rerun_error, recs)))


def _declared(columns: Sequence[Column]) -> dict[str, dict[str, str]]:
    """bench -> {metric: meaning}, from the first manifest of each bench that declares any."""
    out: dict[str, dict[str, str]] = {}
    for run in (run for col in columns for run in col.runs):
        metrics = facts_of(run.manifest).metrics
        if metrics and run.bench not in out:
            out[run.bench] = dict(metrics)
    return out


def metrics_table(columns: Sequence[Column]) -> Table | None:
    """One row per declared metric of each bench, one per bench with clipped actions; None when there is neither."""
    rows = []
    benches = sorted({bench_label(r) for c in columns for r in c.records})
    declared = _declared(columns)
    for bench in benches:
        recs = [[r for r in c.records if bench_label(r) == bench] for c in columns]
        for key, meaning in declared.get(bench, {}).items():
            cells = [_cell(rs, lambda r, k=key: r.metrics.get(k)) for rs in recs]
            rows.append(Row([bench, f"{key}: {meaning}"], cells))
        clipped = [_cell(rs, lambda r: None if r.actions_out_of_range is None else r.actions_out_of_range > 0)
                   for rs in recs]
        if any(cell.successes for cell in clipped):
            rows.append(Row([bench, OUT_OF_RANGE], clipped))
    if not rows:
        return None
    return Table("metrics", "Declared episode metrics and clipped actions", ["bench", "metric"],
                 [c.label for c in columns], rows, [NOTE], wide=False)
