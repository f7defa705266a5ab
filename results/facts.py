"""Benchmark facts a report needs (dimension order, level name, published weights), read from the runs' manifests.

Each benchmark states them once, in its protocol's `report` field, which every manifest holds; nothing here re-types
them. A run whose manifest predates the field gets neutral labels (dimensions by name, "level", no weighted total).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from vla_harness.harness.manifest import RunManifest


@dataclass(frozen=True)
class BenchFacts:
    dimensions: tuple[str, ...] = ()  # the benchmark's perturbation dimensions, in its order
    level_name: str = "level"  # what a perturbation's level is called: "difficulty" (LIBERO-Plus) or "level"
    dimension_weights: Mapping[str, int] = field(default_factory=dict)  # published variants per dimension

    def order(self, names: Iterable[str]) -> list[str]:
        """Dimensions in the benchmark's order; any it does not list after them, by name."""
        names = set(names)
        return [d for d in self.dimensions if d in names] + sorted(n for n in names if n not in self.dimensions)

    def weighted_total(self, rates: Mapping[str, float]) -> float | None:
        """The published weighting of per-dimension rates (LIBERO-Plus's leaderboard total), if it has one."""
        if not self.dimension_weights or not all(d in rates for d in self.dimension_weights):
            return None
        total = sum(self.dimension_weights.values())
        return sum(rates[d] * w for d, w in self.dimension_weights.items()) / total


def facts_of(manifest: RunManifest) -> BenchFacts:
    report = manifest.protocol.get("report") or {}
    return BenchFacts(dimensions=tuple(report.get("dimensions") or ()),
                      level_name=str(report.get("level_name") or "level"),
                      dimension_weights=dict(report.get("dimension_weights") or {}))


def facts_for(columns: Sequence[Any], bench: str) -> BenchFacts:
    """The facts of the first run of `bench` that states any (runs of one bench share one protocol)."""
    for column in columns:
        for run in column.runs:
            facts = facts_of(run.manifest)
            if run.bench == bench and facts != BenchFacts():
                return facts
    return BenchFacts()
