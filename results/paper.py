"""Paper-style tables: published baseline rows (from the cited results/published.csv) above the runs measured here."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, count, group
from vla_harness.results.facts import BenchFacts, facts_for
from vla_harness.results.load import Column
from vla_harness.results.robustness import by_dimension, dimension_mean, perturbed
from vla_harness.results.tables import Mean, Pct, Row, Table, Value

PUBLISHED_CSV = Path(__file__).with_name("published.csv")
LIBERO_SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10")
BRIDGE_TASKS = ("put_carrot_on_plate", "put_spoon_on_towel", "stack_green_cube_on_yellow_cube",
                "put_eggplant_in_basket")
LIBERO_PLUS = "libero_plus"  # its dimensions and published weights come from the runs' manifests (results/facts.py)
DERIVED = "†"
PARTIAL = "‡"


@dataclass(frozen=True)
class Published:
    benchmark: str
    policy: str
    metric: str
    value: float
    source: str
    note: str = ""


def read_published(path: Path = PUBLISHED_CSV) -> list[Published]:
    with open(path, newline="", encoding="utf-8") as f:
        return [Published(r["benchmark"], r["policy"], r["metric"], float(r["success_pct"]), r["source"], r["note"])
                for r in csv.DictReader(f)]


@dataclass(frozen=True)
class Layout:
    """One paper table: which published benchmark, its metric columns, and how to measure them from records."""

    benchmark: str
    title: str
    metrics: tuple[str, ...]
    headers: tuple[str, ...]
    selects: Callable[[EpisodeRecord], bool]
    measure: Callable[[list[EpisodeRecord]], dict[str, Value]]
    derive: Callable[[dict[str, float]], dict[str, float]]


def _mean_of(cells: dict[str, Cell], names: Sequence[str]) -> Mean | None:
    if all(cells.get(n) is not None and cells[n].n for n in names):
        return dimension_mean({n: cells[n] for n in names})
    return None


def _measure_libero(recs: list[EpisodeRecord]) -> dict[str, Value]:
    cells = {str(k): v for k, v in group(recs, lambda r: r.spec.suite).items()}
    return {**cells, "average": _mean_of(cells, LIBERO_SUITES)}


def _measure_libero_plus(recs: list[EpisodeRecord]) -> dict[str, Value]:
    cells = by_dimension(recs)
    mean = dimension_mean(cells)
    return {**cells, "total_variant_weighted": count(perturbed(recs)), "mean_of_dimensions": mean}


def _plus_layout(facts: BenchFacts) -> Layout:
    """LIBERO-Plus's published table: one column per dimension the benchmark states, then both totals."""
    def derive(row: dict[str, float]) -> dict[str, float]:
        out = _derive_mean(facts.dimensions, "mean_of_dimensions")(row) if facts.dimensions else {}
        weighted = facts.weighted_total(row)
        if "total_variant_weighted" not in row and weighted is not None:
            out["total_variant_weighted"] = weighted
        return out

    headers = tuple(d.replace("_", " ").capitalize() for d in facts.dimensions)
    return Layout(LIBERO_PLUS, "LIBERO-Plus: success rate (%) by perturbation dimension, with both totals",
                  (*facts.dimensions, "total_variant_weighted", "mean_of_dimensions"),
                  (*headers, "Total (variant-weighted)", f"Mean of {len(facts.dimensions)} dims"),
                  lambda r: r.spec.bench == LIBERO_PLUS and bool(r.spec.perturbation), _measure_libero_plus, derive)


def _measure_bridge(recs: list[EpisodeRecord]) -> dict[str, Value]:
    cells = {str(k): v for k, v in group(recs, lambda r: r.spec.task_name).items()}
    return {**cells, "average": _mean_of(cells, BRIDGE_TASKS)}


def _derive_mean(names: Sequence[str], metric: str) -> Callable[[dict[str, float]], dict[str, float]]:
    def derive(row: dict[str, float]) -> dict[str, float]:
        if metric in row or not all(n in row for n in names):
            return {}
        return {metric: sum(row[n] for n in names) / len(names)}
    return derive


LAYOUTS = (
    Layout("libero", "LIBERO: success rate (%)", (*LIBERO_SUITES, "average"),
           ("Spatial", "Object", "Goal", "Long (libero_10)", "Average"),
           lambda r: r.spec.bench in LIBERO_SUITES and r.spec.bench == r.spec.suite and not r.spec.perturbation,
           _measure_libero,
           _derive_mean(LIBERO_SUITES, "average")),
    Layout("simpler_bridge", "SimplerEnv Bridge (WidowX), visual matching: success rate (%)",
           (*BRIDGE_TASKS, "average"),
           ("Carrot on plate", "Spoon on towel", "Stack cubes", "Eggplant in basket", "Average"),
           lambda r: r.spec.bench == "simpler_bridge", _measure_bridge, _derive_mean(BRIDGE_TASKS, "average")),
)


def published_rows(layout: Layout, published: Sequence[Published]) -> list[Row]:
    rows = []
    for policy in dict.fromkeys(p.policy for p in published if p.benchmark == layout.benchmark):
        items = [p for p in published if p.benchmark == layout.benchmark and p.policy == policy]
        values = {p.metric: p.value for p in items}
        derived = layout.derive(values)
        cells = [Pct(values[m]) if m in values else Pct(derived.get(m), DERIVED) if m in derived else Pct(None)
                 for m in layout.metrics]
        sources = "; ".join(dict.fromkeys(p.source for p in items))
        rows.append(Row([policy, "published"], cells, [sources]))
    return rows


def measured_row(layout: Layout, column: Column) -> Row | None:
    recs = [r for r in column.records if layout.selects(r)]
    if not recs:
        return None
    measured = layout.measure(recs)
    cells = [measured.get(m) for m in layout.metrics]
    every = len(layout.metrics) - 2  # the LIBERO-Plus layout: its dimensions, then the two totals
    cells = [v if not isinstance(v, Mean) or v.parts == every or layout.benchmark != LIBERO_PLUS else
             Pct(100 * v.rate, PARTIAL) for v in cells]
    runs = ", ".join(str(run.path) for run in column.runs)
    return Row([column.label, f"measured here (n={count(recs).n})"], cells, [f"this harness: {runs}"])


def paper_tables(columns: Sequence[Column], published: Sequence[Published]) -> list[Table]:
    tables = []
    plus = facts_for(columns, LIBERO_PLUS)
    for layout in (LAYOUTS[0], *([_plus_layout(plus)] if plus.dimensions else []), *LAYOUTS[1:]):
        measured = [row for row in (measured_row(layout, c) for c in columns) if row is not None]
        if not measured:
            continue
        rows = published_rows(layout, published)
        if measured:
            measured[0].rule = bool(rows)
        notes = ["Rows marked 'published' are copied from the cited sources, not measured here. Measured cells: "
                 "success % [95% Wilson CI]; an average is the unweighted mean of its columns.",
                 f"{DERIVED} computed here from the same row's published numbers (not itself published)."]
        if layout.benchmark == LIBERO_PLUS:
            n = len(plus.dimensions)
            notes.append(f"{PARTIAL} mean over fewer than {n} dimensions (some were not run): not comparable to a "
                         f"{n}-dimension mean.")
        notes += sorted({f"{c.label} (measured): {r.metrics['note']}" for c in columns for r in c.records
                         if layout.selects(r) and r.metrics.get("note")})  # e.g. a stand-in asset: not comparable
        tables.append(Table(f"paper_{layout.benchmark}", layout.title, ["policy", "kind"], list(layout.headers),
                            rows + measured, notes, wide=False, tail=["source"], compact_n=False))
    return tables
