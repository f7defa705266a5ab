"""One robustness table across benchmark families (clean LIBERO, LIBERO-Plus, LIBERO-PRO, LIBERO-Para, native sweeps):
per family and dimension, success and the paired drop from the unperturbed base task; each family's protocol under it.
"""

from __future__ import annotations

from typing import Sequence

from vla_harness.results.aggregate import count
from vla_harness.results.drop import bases, clean_libero, drop, pairs
from vla_harness.results.facts import facts_for
from vla_harness.results.load import Column, protocol_line
from vla_harness.results.robustness import UNPERTURBED, dimension, is_baseline, perturbed, robustness_benches, swept
from vla_harness.results.tables import Row, Table, Value

CLEAN = "LIBERO"


def family_name(columns: Sequence[Column], bench: str) -> str:
    return facts_for(columns, bench).title or bench


def _bench_rows(columns: Sequence[Column], bench: str) -> list[Row]:
    fam, facts = family_name(columns, bench), facts_for(columns, bench)
    recs = {c.label: [r for r in swept(c.records) if r.spec.bench == bench] for c in columns}
    rows = []
    if any(is_baseline(r) for rs in recs.values() for r in rs):
        rows.append(Row([fam, UNPERTURBED], [v for rs in recs.values()
                                             for v in (count(r for r in rs if is_baseline(r)), None)]))
    dims = facts.order({dimension(r) for rs in recs.values() for r in perturbed(rs)})
    for d in [*dims, None]:
        cells: list[Value] = []
        for c in columns:
            chosen = [r for r in perturbed(recs[c.label]) if d is None or dimension(r) == d]
            cells += [count(chosen), drop(pairs(chosen, bases(c.records, bench)[0])) if chosen else None]
        rows.append(Row([fam, d or "all perturbed"], cells, rule=d is None))
    return rows


def protocol_notes_by_family(columns: Sequence[Column], benches: Sequence[str]) -> list[str]:
    """'family: source; named protocol' for every family in the table, in its order."""
    notes = []
    for bench in benches:
        lines: dict[str, None] = {}
        for run in (r for c in columns for r in c.runs):
            is_clean = bench == CLEAN and any(clean_libero(x) for x in run.records)
            if run.bench != bench and not is_clean:
                continue
            protocol = run.manifest.protocol
            lines[f"{protocol.get('source', '?')}" + (f"; {protocol_line(run.manifest)}"
                                                       if protocol_line(run.manifest) else "")] = None
        name = CLEAN if bench == CLEAN else family_name(columns, bench)
        notes += [f"Protocol ({name}): {line}" for line in lines]
    return notes


def families_table(columns: Sequence[Column]) -> Table | None:
    """None unless the columns hold at least two families with robustness or clean LIBERO episodes."""
    benches = robustness_benches(columns)
    has_clean = any(clean_libero(r) for c in columns for r in c.records)
    if len(benches) + has_clean < 2:
        return None
    rows = []
    if has_clean:
        rows.append(Row([CLEAN, "(clean suites)"], [v for c in columns
                                                   for v in (count(r for r in c.records if clean_libero(r)), None)]))
    for bench in benches:
        rows += _bench_rows(columns, bench)
    headers = [h for c in columns for h in (c.label, f"{c.label}: drop vs paired base (pts)")]
    notes = ["Success % [95% Wilson CI] n; drop: perturbed minus base success over episodes paired by suite, base "
             "task and init state (base: the family's own unperturbed episodes, else the column's clean LIBERO "
             "run), 95% Newcombe paired interval widened by the design effect where a base episode is shared.",
             *protocol_notes_by_family(columns, ([CLEAN] if has_clean else []) + benches)]
    return Table("robustness_families", "Robustness across benchmark families", ["family", "dimension"], headers,
                 rows, notes, wide=False)
