"""The success table printed at the end of every `vla-harness eval`."""

from __future__ import annotations

from typing import Iterable

from tabulate import tabulate

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, count, group, latest_by_key
from vla_harness.results.drop import base_key, drop, pairs, scored, weighted_rate
from vla_harness.results.facts import BenchFacts
from vla_harness.results.robustness import UNPERTURBED, by_dimension, dimension, is_baseline, perturbed
from vla_harness.results.tables import clip, pct


def fmt_cell(cell: Cell) -> list[str]:
    if cell.n == 0:
        return ["skipped" if cell.skipped and not cell.errors else "no episodes", "-", str(cell.n), "0",
                str(cell.errors)]
    lo, hi = cell.ci
    return [f"{100 * cell.rate:.1f}%", f"[{100 * lo:.1f}, {100 * hi:.1f}]", str(cell.n), str(cell.policy_faults),
            str(cell.errors)]


def summary_table(records: Iterable[EpisodeRecord], fmt: str = "github", facts: BenchFacts | None = None) -> str:
    """`facts` (from the run's manifest, results/facts.py) orders the dimension table as the benchmark does."""
    recs = list(latest_by_key(records).values())
    rows = []
    for (suite, task_id), cell in group(recs, lambda r: (r.spec.suite, r.spec.task_id)).items():
        name = next(r.spec.task_name for r in recs if r.spec.suite == suite and r.spec.task_id == task_id)
        rows.append([suite, f"{task_id}: {clip(name, 60)}", *fmt_cell(cell)])
    for suite, cell in group(recs, lambda r: r.spec.suite).items():
        rows.append([suite, "**all tasks**", *fmt_cell(cell)])
    if len({r.spec.suite for r in recs}) > 1:
        rows.append(["**all**", "", *fmt_cell(count(recs))])
    headers = ["suite", "task", "success", "95% CI (Wilson)", "n", "policy faults", "errors"]
    # A benchmark flags caveats that make its numbers incomparable (e.g. a stand-in asset) in metrics["note"].
    notes = sorted({str(r.metrics["note"]) for r in recs if r.metrics.get("note")})
    table = tabulate(rows, headers=headers, tablefmt=fmt) + dimension_summary(recs, fmt, facts)
    return table + "".join(f"\nnote: {n}" for n in notes)


def dimension_summary(recs: list[EpisodeRecord], fmt: str, facts: BenchFacts | None = None) -> str:
    """Success per perturbation dimension (LIBERO-Plus, LIBERO-PRO, LIBERO-Para, native sweeps), with the paired drop
    from the base task when the run holds its base episodes; '' for a run without perturbations."""
    swept = [r for r in recs if r.spec.perturbation]
    if not swept:
        return ""
    cells = by_dimension(swept, facts)
    baseline = [r for r in swept if is_baseline(r)]
    if baseline:
        cells = {UNPERTURBED: count(baseline), **cells}
    base = {base_key(r): r for r in baseline if scored(r)}
    rows = [[d, *fmt_cell(cell), str(cell.skipped)] + ([_drop_text(d, swept, base)] if base else [])
            for d, cell in cells.items()]
    headers = ["dimension", "success", "95% CI (Wilson)", "n", "policy faults", "errors", "skipped"]
    headers += ["drop vs base, paired (pts) [95% CI]"] if base else []
    table = "\n\n" + tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)
    if facts is not None and facts.weighted:
        rate, name = weighted_rate(perturbed(swept), facts.weighted["param"]), facts.weighted["name"]
        table += f"\n{name}: {pct(rate.value)} over {rate.n} perturbed episodes; {facts.weighted.get('note', '')}"
    return table


def _drop_text(dim: str, swept: list[EpisodeRecord], base: dict) -> str:
    if dim == UNPERTURBED:
        return ""
    d = drop(pairs([r for r in perturbed(swept) if dimension(r) == dim], base))
    return f"{pct(d.value)} [{pct(d.lo)}, {pct(d.hi)}]" if d.n else "no paired base"
