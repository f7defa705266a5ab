"""Tables of the perturbation families whose episodes pair with a base: the drop per dimension, the benchmark's
weighted rate (facts.weighted) and its two-way table of perturbation params (facts.grid), all from the manifest facts.
"""

from __future__ import annotations

from typing import Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import count
from vla_harness.results.drop import INTERVAL_NOTE, bases, drop, pairs, weighted_rate
from vla_harness.results.facts import BenchFacts, facts_for
from vla_harness.results.load import Column
from vla_harness.results.robustness import MATRIX_NOTE, dimension, perturbed, robustness_benches, swept
from vla_harness.results.tables import Row, Table, Value


def _column_records(column: Column, bench: str) -> list[EpisodeRecord]:
    return [r for r in swept(column.records) if r.spec.bench == bench]


def drop_cells(column: Column, bench: str, recs: Sequence[EpisodeRecord]) -> list[Value]:
    """Perturbed success, the paired base episodes' success, the paired drop."""
    base, _ = bases(column.records, bench)
    ps = pairs(recs, base)
    used = {key for _, _, key in ps}
    return [count(recs), count(r for k, r in base.items() if k in used), drop(ps)]


def drop_table(columns: Sequence[Column], bench: str) -> Table | None:
    cols = [c for c in columns if _column_records(c, bench)]
    facts = facts_for(cols, bench)
    recs = {c.label: perturbed(_column_records(c, bench)) for c in cols}
    if not any(bases(c.records, bench)[0] for c in cols):
        return None
    dims = facts.order({dimension(r) for rs in recs.values() for r in rs})
    rows = [Row([d], [v for c in cols for v in drop_cells(c, bench, [r for r in recs[c.label]
                                                                    if dimension(r) == d])]) for d in dims]
    rows.append(Row(["all perturbed"], [v for c in cols for v in drop_cells(c, bench, recs[c.label])], rule=True))
    if facts.weighted:
        name, param = facts.weighted["name"], facts.weighted["param"]
        rows.append(Row([name], [v for c in cols for v in (weighted_rate(recs[c.label], param), None, None)]))
    headers = [h for c in cols for h in (f"{c.label}: perturbed", f"{c.label}: base (paired)", f"{c.label}: drop")]
    notes = [INTERVAL_NOTE, *(f"{c.label}: base episodes from {bases(c.records, bench)[1] or 'nowhere (no drop)'}"
                              for c in cols)]
    if facts.weighted.get("note"):
        notes.append(str(facts.weighted["note"]))
    return Table(f"robustness_{bench}_drop", f"Robustness ({bench}): drop from the unperturbed base task, paired",
                 ["dimension"], headers, rows, notes, wide=False)


def grid_table(column: Column, bench: str, facts: BenchFacts) -> Table | None:
    """Success by two perturbation params (rows x columns); the base episodes sit where both are unchanged."""
    g = facts.grid
    recs = [r for r in _column_records(column, bench)
            if g["rows"] in r.spec.perturbation.params and g["cols"] in r.spec.perturbation.params]
    if not recs:
        return None
    value = lambda r, k: r.spec.perturbation.params[g[k]]  # noqa: E731
    present_rows, present_cols = {value(r, "rows") for r in recs}, {value(r, "cols") for r in recs}
    row_names = [x for x in g.get("row_order", sorted(present_rows)) if x in present_rows]
    col_names = [x for x in g.get("col_order", sorted(present_cols)) if x in present_cols]
    rows = [Row([rn], [count(r for r in recs if value(r, "rows") == rn and value(r, "cols") == cn)
                       for cn in col_names] + [count(r for r in recs if value(r, "rows") == rn)]) for rn in row_names]
    rows.append(Row(["all"], [count(r for r in recs if value(r, "cols") == cn) for cn in col_names] + [count(recs)],
                    rule=True))
    slug = "".join(ch if ch.isalnum() else "_" for ch in column.label)
    title = f"Robustness ({bench}, {column.label}): {g.get('title') or g['rows'] + ' x ' + g['cols']}"
    return Table(f"robustness_{bench}_grid_{slug}", title, [g["rows"]], [*col_names, "all"], rows, [MATRIX_NOTE],
                 wide=False)


def paired_tables(columns: Sequence[Column]) -> list[Table]:
    tables: list[Table] = []
    for bench in robustness_benches(columns):
        table = drop_table(columns, bench)
        tables += [table] if table else []
        facts = facts_for(columns, bench)
        if facts.grid:
            tables += [t for t in (grid_table(c, bench, facts) for c in columns) if t]
    return tables
