"""Robustness breakdowns of perturbed episodes: per dimension, per difficulty/severity level, dimension x level.

LIBERO-Plus has two totals in the literature and both are shown, labelled: the variant-weighted total (every variant
counts once: the official leaderboard's "Total") and the unweighted mean of the 7 dimension rates (VLA-JEPA and others).
"""

from __future__ import annotations

import math
from typing import Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, count, group, natural_key
from vla_harness.results.facts import BenchFacts, facts_for
from vla_harness.results.load import Column
from vla_harness.results.tables import Mean, Row, Table, slug

UNPERTURBED = "(unperturbed)"
BASELINE_DIMENSION = "none"  # a native sweep's shared level-0 episode
MATRIX_NOTE = "Cells: success % [95% Wilson CI] n (policy faults are failures; env/infra errors excluded)."


def dimension(rec: EpisodeRecord) -> str:
    p = rec.spec.perturbation
    return p.dimension if p else UNPERTURBED


def level(rec: EpisodeRecord) -> int | None:
    """An official variant's difficulty (LIBERO-Plus 1-5, None if unclassified) or the native severity level (0-5)."""
    p = rec.spec.perturbation
    if p is None:
        return None
    return p.difficulty if p.variant_id is not None or p.difficulty is not None else p.level


def is_baseline(rec: EpisodeRecord) -> bool:
    """No perturbation applied: none at all, a sweep's shared "none" episode, or a native level 0 draw."""
    p = rec.spec.perturbation
    if not p or p.dimension == BASELINE_DIMENSION:
        return True
    return p.variant_id is None and p.difficulty is None and p.level == 0


def perturbed(records: Sequence[EpisodeRecord]) -> list[EpisodeRecord]:
    return [r for r in records if not is_baseline(r)]


def swept(records: Sequence[EpisodeRecord]) -> list[EpisodeRecord]:
    """Episodes of a robustness run: everything with a perturbation entry, level 0 included."""
    return [r for r in records if r.spec.perturbation]


def at_level(records: Sequence[EpisodeRecord], dim: str | None, lv) -> list[EpisodeRecord]:
    """One dimension (None: all) at one level; native level 0 is the unperturbed draw, shared or per dimension."""
    if lv == 0:
        dims = (dim, BASELINE_DIMENSION)
        return [r for r in swept(records) if level(r) == 0 and (dim is None or dimension(r) in dims)]
    return [r for r in swept(records) if level(r) == lv and (dim is None or dimension(r) == dim)]


def level_label(name: str, lv) -> str:
    return f"{name} {'n/a' if lv is None else lv}" + (" (unperturbed)" if lv == 0 else "")


def by_dimension(records: Sequence[EpisodeRecord], facts: BenchFacts | None = None) -> dict[str, Cell]:
    cells = group(perturbed(records), dimension)
    return {d: cells[d] for d in (facts or BenchFacts()).order(cells)}


def dimension_mean(cells: dict[str, Cell]) -> Mean:
    rates = [c.rate for c in cells.values() if c.n]
    rate = sum(rates) / len(rates) if rates else math.nan
    return Mean(rate, sum(c.n for c in cells.values()), sum(c.errors for c in cells.values()), len(rates),
                sum(c.policy_faults for c in cells.values()))


def mean_label(facts: BenchFacts, dims: set[str]) -> str:
    """The unweighted mean's label; against the benchmark's full dimension list when it has published weights."""
    if not facts.dimension_weights:
        return f"Mean of {len(dims)} dimensions (unweighted)"
    missing = [d for d in facts.dimensions if d not in dims]
    n = len(facts.dimensions)
    if not missing:
        return f"Mean of the {n} dimensions (unweighted, as VLA-JEPA reports)"
    return f"Mean of {n - len(missing)} of {n} dimensions (unweighted; missing: {', '.join(missing)})"


def total_label(facts: BenchFacts) -> str:
    if facts.dimension_weights:
        return "Total, variant-weighted (official leaderboard)"
    return "All perturbed episodes (episode-weighted)"


def bench_records(columns: Sequence[Column], bench: str) -> dict[str, list[EpisodeRecord]]:
    """Perturbation-run records of this bench per column label, for the columns that have any."""
    recs = {c.label: [r for r in swept(c.records) if r.spec.bench == bench] for c in columns}
    return {label: rs for label, rs in recs.items() if rs}


def dimension_table(columns: Sequence[Column], bench: str) -> Table:
    recs, facts = bench_records(columns, bench), facts_for(columns, bench)
    cells = {label: by_dimension(rs, facts) for label, rs in recs.items()}
    dims = facts.order({d for cs in cells.values() for d in cs})
    rows = []
    if any(is_baseline(r) for rs in recs.values() for r in rs):
        rows.append(Row([UNPERTURBED], [count(r for r in rs if is_baseline(r)) for rs in recs.values()]))
    rows += [Row([d], [cells[label].get(d, Cell(0, 0, 0)) for label in recs]) for d in dims]
    rows.append(Row([total_label(facts)], [count(perturbed(rs)) for rs in recs.values()], rule=True))
    ran = {d for cs in cells.values() for d, c in cs.items() if c.n}  # a dimension whose episodes were all skipped
    rows.append(Row([mean_label(facts, ran)], [dimension_mean(cells[label]) for label in recs]))
    notes = ["Both totals are shown: the variant-weighted total counts every perturbed episode once; the mean of "
             "dimensions averages the per-dimension rates (each dimension weighs the same). The mean has no single "
             "binomial interval."]
    return Table(f"robustness_{bench}_dimension", f"Robustness ({bench}): success by perturbation dimension",
                 ["dimension"], list(recs), rows, notes)


def level_table(columns: Sequence[Column], bench: str) -> Table:
    recs = bench_records(columns, bench)
    levels = sorted({level(r) for rs in recs.values() for r in rs}, key=natural_key)
    name = facts_for(columns, bench).level_name
    rows = [Row([level_label(name, lv)], [count(at_level(rs, None, lv)) for rs in recs.values()]) for lv in levels]
    notes = ["LIBERO-Plus difficulty 1-5 comes from its task_classification.json (n/a: variants without one)."
             if name == "difficulty" else "Native severity level 0-5; level 0 is the unperturbed draw "
             "(shared by all dimensions when the sweep shares it)."]
    return Table(f"robustness_{bench}_level", f"Robustness ({bench}): success by {name}", [name],
                 list(recs), rows, notes)


def matrix_table(column: Column, bench: str) -> Table:
    """Dimension x level for one policy: compact cells (success [CI] n)."""
    recs = [r for r in swept(column.records) if r.spec.bench == bench]
    levels = sorted({level(r) for r in recs}, key=natural_key)
    facts = facts_for([column], bench)
    dims, name = facts.order({dimension(r) for r in perturbed(recs)}), facts.level_name
    rows = [Row([d], [count(at_level(recs, d, lv)) for lv in levels]
                + [count(r for r in perturbed(recs) if dimension(r) == d)]) for d in dims]
    rows.append(Row(["all dimensions"], [count(at_level(recs, None, lv)) for lv in levels] + [count(perturbed(recs))],
                    rule=True))
    cols = [level_label(name, lv) for lv in levels] + ["all perturbed"]
    return Table(f"robustness_{bench}_matrix_{slug(column.label)}",
                 f"Robustness ({bench}, {column.label}): dimension × {name}",
                 ["dimension"], cols, rows, [MATRIX_NOTE], wide=False)


def robustness_benches(columns: Sequence[Column]) -> list[str]:
    return sorted({r.spec.bench for c in columns for r in swept(c.records)})


def robustness_tables(columns: Sequence[Column]) -> list[Table]:
    tables = []
    for bench in robustness_benches(columns):
        tables.append(dimension_table(columns, bench))
        if all(level(r) is None for c in columns for r in swept(c.records) if r.spec.bench == bench):
            continue  # a family without levels (LIBERO-PRO, LIBERO-Para): no level tables
        tables.append(level_table(columns, bench))
        tables += [matrix_table(c, bench) for c in columns
                   if any(r.spec.bench == bench for r in swept(c.records))]
    return tables
