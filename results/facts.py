"""Benchmark facts a report needs (dimension order, level name, published weights, table family, the published
table's columns, declared metrics), read from the runs' manifests.

Each benchmark states them once, in its protocol's `report` field, which every manifest holds; nothing here re-types
them: a two-way table of perturbation params (`grid`), a weighted success rate (`weighted`, e.g. LIBERO-Para's PRIDE)
and the layout of the paper's own table (`paper`: its columns, each a selection of episodes and what to measure).
A run whose manifest predates a field gets neutral labels (dimensions by name, "level", no weighted total),
except the family and published columns of LIBERO and Bridge runs, which BEFORE_FACTS reads for them.
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
    # named paper protocols (LIBERO, LIBERO-Plus): what each fixes that decides comparability with a published row
    paper_protocols: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    family: str | None = None  # benches reported in one table (LIBERO's suites: "libero")
    paper_columns: Mapping[str, str] = field(default_factory=dict)  # published table: suite/task -> header, in order
    metrics: Mapping[str, str] = field(default_factory=dict)  # episode metrics the benchmark records: key -> meaning
    title: str = ""  # the benchmark family's display name (LIBERO-PRO)
    grid: Mapping[str, Any] = field(default_factory=dict)  # rows/cols: perturbation params of a two-way table
    weighted: Mapping[str, Any] = field(default_factory=dict)  # name/param: a success rate weighted by a param
    paper: Mapping[str, Any] = field(default_factory=dict)  # title/source/columns of the paper's own table

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


# What the LIBERO suites and SimplerEnv Bridge declared before their manifests carried it (vla-harness 0.1): the
# reader for those runs. New runs take it from the manifest (benchmarks/libero/protocol.py, simpler/protocol.py).
_LIBERO_0_1 = {"family": "libero", "paper_columns": {"libero_spatial": "Spatial", "libero_object": "Object",
                                                     "libero_goal": "Goal", "libero_10": "Long (libero_10)"}}
BEFORE_FACTS: dict[str, dict[str, Any]] = {
    **{suite: _LIBERO_0_1 for suite in ("libero_spatial", "libero_object", "libero_goal", "libero_10", "libero_90")},
    "simpler_bridge": {"paper_columns": {
        "put_carrot_on_plate": "Carrot on plate", "put_spoon_on_towel": "Spoon on towel",
        "stack_green_cube_on_yellow_cube": "Stack cubes", "put_eggplant_in_basket": "Eggplant in basket"}}}


def facts_of(manifest: RunManifest) -> BenchFacts:
    protocol = manifest.protocol
    report = protocol.get("report") or {}
    if "family" not in report and "paper_columns" not in report and "dimensions" not in report:
        report = {**BEFORE_FACTS.get(str(protocol.get("name")), {}), **report}
    return BenchFacts(dimensions=tuple(report.get("dimensions") or ()),
                      level_name=str(report.get("level_name") or "level"),
                      dimension_weights=dict(report.get("dimension_weights") or {}),
                      paper_protocols=dict(report.get("paper_protocols") or {}),
                      family=report.get("family"), paper_columns=dict(report.get("paper_columns") or {}),
                      metrics=dict(report.get("metrics") or {}), title=str(report.get("title") or ""),
                      grid=dict(report.get("grid") or {}), weighted=dict(report.get("weighted") or {}),
                      paper=dict(report.get("paper") or {}))


def facts_for(columns: Sequence[Any], bench: str) -> BenchFacts:
    """The facts of the first run of `bench` (or of its family) that states any (they share one protocol)."""
    for column in columns:
        for run in column.runs:
            facts = facts_of(run.manifest)
            if bench in (run.bench, facts.family) and facts != BenchFacts():
                return facts
    return BenchFacts()
