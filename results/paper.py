"""Paper-style tables: published baseline rows (from the cited results/published.csv) above the runs measured here."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results import paper_columns
from vla_harness.results.aggregate import Cell, count, group
from vla_harness.results.comparable import measured_fields, verdict
from vla_harness.results.facts import BenchFacts, facts_for
from vla_harness.results.load import Column
from vla_harness.results.paper_declared import declared_tables
from vla_harness.results.robustness import by_dimension, dimension_mean, perturbed
from vla_harness.results.tables import Mean, Pct, Row, Table, Value

PUBLISHED_CSV = Path(__file__).with_name("published.csv")
# The published tables (published.csv's benchmarks); their columns come from the runs' manifests (results/facts.py).
LIBERO, LIBERO_PLUS, BRIDGE = "libero", "libero_plus", "simpler_bridge"
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
    protocol: str = ""  # the named paper protocol the numbers were run under (docs/protocols.md); "" not stated


def read_published(path: Path = PUBLISHED_CSV) -> list[Published]:
    with open(path, newline="", encoding="utf-8") as f:
        return [Published(r["benchmark"], r["policy"], r["metric"], float(r["success_pct"]), r["source"], r["note"],
                          (r.get("protocol") or "").strip()) for r in csv.DictReader(f)]


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


def _measure(names: Sequence[str], key: Callable[[EpisodeRecord], str]) -> Callable[[list], dict[str, Value]]:
    """Success per column (records grouped by `key`) and the unweighted average over `names`."""
    def measure(recs: list[EpisodeRecord]) -> dict[str, Value]:
        cells = {str(k): v for k, v in group(recs, key).items()}
        return {**cells, "average": _mean_of(cells, names)}
    return measure


def _libero_layout(facts: BenchFacts) -> Layout:
    """LIBERO's published table: one column per suite the benchmark names, then their average."""
    names = tuple(facts.paper_columns)
    return Layout(LIBERO, "LIBERO: success rate (%)", (*names, "average"), (*facts.paper_columns.values(), "Average"),
                  lambda r: r.spec.bench in names and r.spec.bench == r.spec.suite and not r.spec.perturbation,
                  _measure(names, lambda r: r.spec.suite), _derive_mean(names, "average"))


def _bridge_layout(facts: BenchFacts) -> Layout:
    """SimplerEnv Bridge's published table: one column per task the benchmark names, then their average."""
    names = tuple(facts.paper_columns)
    return Layout(BRIDGE, "SimplerEnv Bridge (WidowX), visual matching: success rate (%)", (*names, "average"),
                  (*facts.paper_columns.values(), "Average"), lambda r: r.spec.bench == BRIDGE,
                  _measure(names, lambda r: r.spec.task_name), _derive_mean(names, "average"))


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


def _derive_mean(names: Sequence[str], metric: str) -> Callable[[dict[str, float]], dict[str, float]]:
    def derive(row: dict[str, float]) -> dict[str, float]:
        if metric in row or not all(n in row for n in names):
            return {}
        return {metric: sum(row[n] for n in names) / len(names)}
    return derive


def layouts(columns: Sequence[Column]) -> list[Layout]:
    """The published tables these runs' manifests describe, in reading order."""
    libero, plus, bridge = (facts_for(columns, name) for name in (LIBERO, LIBERO_PLUS, BRIDGE))
    return [*([_libero_layout(libero)] if libero.paper_columns else []),
            *([_plus_layout(plus)] if plus.dimensions else []),
            *([_bridge_layout(bridge)] if bridge.paper_columns else [])]


def published_rows(layout: Layout, published: Sequence[Published], facts: BenchFacts,
                   measured: Sequence[tuple[str, str, dict[str, str]]]) -> tuple[list[Row], list[str]]:
    """The published rows, each marked comparable or not with the measured columns (results/comparable.py)."""
    rows, notes = [], []
    for policy in dict.fromkeys(p.policy for p in published if p.benchmark == layout.benchmark):
        items = [p for p in published if p.benchmark == layout.benchmark and p.policy == policy]
        values = {p.metric: p.value for p in items}
        derived = layout.derive(values)
        if not any(m in values or m in derived for m in layout.metrics):
            continue  # the source gives none of this table's numbers (e.g. a setting it does not name)
        cells = [Pct(values[m]) if m in values else Pct(derived.get(m), DERIVED) if m in derived else Pct(None)
                 for m in layout.metrics]
        sources = "; ".join(dict.fromkeys(p.source for p in items))
        protocol = items[0].protocol
        kind, why = verdict(facts, protocol, measured, layout.benchmark == LIBERO_PLUS)
        notes += [f"{policy} (published, protocol {protocol}) is {w} (published vs measured)" for w in why]
        rows.append(Row([policy, kind, protocol or "-"], cells, [sources]))
    return rows, notes


def measured_row(layout: Layout, column: Column) -> tuple[Row, dict[str, str]] | None:
    recs = [r for r in column.records if layout.selects(r)]
    if not recs:
        return None
    measured = layout.measure(recs)
    cells = [measured.get(m) for m in layout.metrics]
    every = len(layout.metrics) - 2  # the LIBERO-Plus layout: its dimensions, then the two totals
    cells = [v if not isinstance(v, Mean) or v.parts == every or layout.benchmark != LIBERO_PLUS else
             Pct(100 * v.rate, PARTIAL) for v in cells]
    runs = ", ".join(str(run.path) for run in column.runs)
    protocol = column.runs[0].paper_protocol
    row = Row([column.label, f"measured here (n={count(recs).n})", protocol], cells, [f"this harness: {runs}"])
    return row, measured_fields(recs, column.runs[0].manifest)


def _marked(rows: Sequence[Row], mark: str) -> bool:
    return any(isinstance(v, Pct) and v.mark == mark for row in rows for v in row.values)


def declared_layouts(columns: Sequence[Column]) -> list[Layout]:
    """The paper tables benchmarks declare in their manifests' report facts (LIBERO-PRO, LIBERO-Para)."""
    declared = []
    for bench in sorted({run.bench for c in columns for run in c.runs}):
        paper = facts_for(columns, bench).paper
        if not paper or bench == LIBERO_PLUS:
            continue
        cols = paper["columns"]
        declared.append(Layout(bench, paper["title"], tuple(c["metric"] for c in cols),
                               tuple(c["header"] for c in cols),
                               lambda r, b=bench: r.spec.bench == b and bool(r.spec.perturbation),
                               paper_columns.measure(bench, cols), paper_columns.derive(cols)))
    return declared


def paper_tables(columns: Sequence[Column], published: Sequence[Published]) -> list[Table]:
    tables = []
    plus = facts_for(columns, LIBERO_PLUS)
    declared = [Layout(d.bench, d.title, d.metrics, d.headers, lambda r, b=d.bench: r.spec.bench == b, d.measure,
                       d.derive) for d in declared_tables(columns)]  # from the runs' report blocks
    for layout in (*layouts(columns), *declared_layouts(columns), *declared):
        found = [m for m in (measured_row(layout, c) for c in columns) if m is not None]
        if not found:
            continue
        measured = [row for row, _ in found]
        rows, comparability = published_rows(layout, published, facts_for(columns, layout.benchmark),
                                             [(row.labels[0], row.labels[2], fields) for row, fields in found])
        measured[0].rule = bool(rows)
        notes = ["Rows marked 'published' are copied from the cited sources, not measured here; each names the paper "
                 "protocol it was run under, and one run under another protocol is marked NOT comparable. Measured "
                 "cells: success % [95% Wilson CI]; an average is the unweighted mean of its columns.", *comparability]
        if _marked(rows, DERIVED):
            notes.append(f"{DERIVED} computed here from the same row's published numbers (not itself published).")
        if layout.benchmark == LIBERO_PLUS and _marked(measured, PARTIAL):
            n = len(plus.dimensions)
            notes.append(f"{PARTIAL} mean over fewer than {n} dimensions (some were not run): not comparable to a "
                         f"{n}-dimension mean.")
        source = facts_for(columns, layout.benchmark).paper.get("source")
        notes += [f"Layout and published rows: {source}."] if source else []
        notes += sorted({f"{c.label} (measured): {r.metrics['note']}" for c in columns for r in c.records
                         if layout.selects(r) and r.metrics.get("note")})  # e.g. a stand-in asset: not comparable
        tables.append(Table(f"paper_{layout.benchmark}", layout.title, ["policy", "kind", "protocol"],
                            list(layout.headers), rows + measured, notes, wide=False, tail=["source"],
                            compact_n=False))
    return tables
