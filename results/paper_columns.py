"""A paper table declared by the benchmark (facts.paper: its columns), measured from records and derived from
published numbers. Each column is one of: a success rate of the perturbed episodes of a suite and/or dimension; the
base episodes' rate ("baseline"); the paired drop ("drop"); a weighted rate ("weight": the param); or the mean of the
rate columns ("mean_of_columns")."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import count
from vla_harness.results.drop import bases, drop, pairs, weighted_rate
from vla_harness.results.robustness import dimension, dimension_mean, is_baseline, perturbed
from vla_harness.results.tables import Value

Column = Mapping[str, Any]
SPECIAL = ("baseline", "drop", "weight", "mean_of_columns")


def is_rate(col: Column) -> bool:
    return not any(col.get(k) for k in SPECIAL)


def _chosen(col: Column, recs: Sequence[EpisodeRecord]) -> list[EpisodeRecord]:
    return [r for r in perturbed(recs) if col.get("suite") in (None, r.spec.suite)
            and col.get("dimension") in (None, dimension(r))]


def measure(bench: str, columns: Sequence[Column]) -> Callable[[list[EpisodeRecord]], dict[str, Value]]:
    def run(recs: list[EpisodeRecord]) -> dict[str, Value]:
        out: dict[str, Value] = {}
        rates = {c["metric"]: count(_chosen(c, recs)) for c in columns if is_rate(c)}
        for c in columns:
            if c.get("baseline"):
                out[c["metric"]] = count(r for r in recs if is_baseline(r))
            elif c.get("drop"):
                out[c["metric"]] = drop(pairs(perturbed(recs), bases(recs, bench)[0]))
            elif c.get("weight"):
                out[c["metric"]] = weighted_rate(perturbed(recs), str(c["weight"]))
            elif c.get("mean_of_columns"):
                present = {m: cell for m, cell in rates.items() if cell.n}
                out[c["metric"]] = dimension_mean(present) if present else None
            else:
                out[c["metric"]] = rates[c["metric"]]
        return out
    return run


def derive(columns: Sequence[Column]) -> Callable[[dict[str, float]], dict[str, float]]:
    """From a published row: the mean of its rate columns, and the drop (perturbed minus baseline), when absent."""
    rate_metrics = [c["metric"] for c in columns if is_rate(c)]
    base = next((c["metric"] for c in columns if c.get("baseline")), None)
    overall = next((c["metric"] for c in columns if is_rate(c) and not c.get("suite") and not c.get("dimension")),
                   None)

    def run(row: dict[str, float]) -> dict[str, float]:
        out = {}
        for c in columns:
            m = c["metric"]
            present = [row[x] for x in rate_metrics if x in row]
            if m in row:
                continue
            if c.get("mean_of_columns") and present:
                out[m] = sum(present) / len(present)
            elif c.get("drop") and base in row and overall in row:
                out[m] = row[overall] - row[base]
        return out
    return run
