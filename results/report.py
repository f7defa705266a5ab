"""The tables of `vla-harness report`: runs, success per suite and per task, robustness, paper tables, notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import ERROR_SHARE_FLAG, count, group, is_skipped, natural_key
from vla_harness.results.drop_difference import drop_difference_tables
from vla_harness.results.families import families_table
from vla_harness.results.health import state_notes
from vla_harness.results.identity import PolicyIdentity
from vla_harness.results.load import Column, bench_label, families, protocol_notes, scoped
from vla_harness.results.metrics import metrics_table
from vla_harness.results.paired import paired_tables
from vla_harness.results.paper import paper_tables, read_published
from vla_harness.results.robustness import robustness_tables
from vla_harness.results.tables import FLAG, Row, Table, clip, flagged, latex_document, slug, to_csv, to_text

ERRORS_NOTE = ("Policy faults (the policy raised, returned NaN or a wrong shape) count as failures and are also shown "
               "apart; errors (env failure, timeout, worker or server lost) are their own column, never failures, and "
               "`vla-harness resume` re-runs them.")
FLAG_NOTE = (f"{FLAG}: more than {100 * ERROR_SHARE_FLAG:g}% of this cell's episodes ended in an error (policy faults "
             "included): read its rate with care.")


def runs_table(columns: Sequence[Column]) -> Table:
    rows = []
    for col in columns:
        for run in col.runs:
            ident = run.identity
            rows.append(Row([col.label, str(run.path), run.bench, run.protocol_hash,
                             f"{ident.name} v{ident.version or '?'}", model_text(ident),
                             str(len({r.key for r in run.records}))], []))
    notes = [note for col in columns for run in col.runs for note in state_notes(run)]
    overlaps = {c.label: c.overlapping_keys() for c in columns}
    notes += [f"{label}: {n} episode keys appear in more than one of its runs; the latest final outcome is used"
              for label, n in overlaps.items() if n]
    return Table("runs", "Runs in this report", ["column", "run", "bench", "protocol hash", "policy", "model",
                                                 "episode keys"], [], rows, notes)


def model_text(ident: PolicyIdentity) -> str:
    """What the policy declared about its model (checkpoint and its full sha256, a served model's), and options."""
    parts = [f"{k} {v}" for k, v in ident.declared]
    if not ident.recorded:
        parts.append(f"checkpoint {ident.checkpoint} (no digest recorded)" if ident.checkpoint else "not recorded")
    parts += [f"{k}={v}" for k, v in ident.options]
    return "; ".join(parts) or "-"


def _cells(pairs, key) -> tuple[list, list[dict]]:
    per_col = [group(recs, key) for _, recs in pairs]
    return sorted({k for cells in per_col for k in cells}, key=natural_key), per_col


def suite_table(columns: Sequence[Column], fam: str | None = None) -> Table:
    pairs = scoped(columns, fam)
    keys, per_col = _cells(pairs, lambda r: (bench_label(r), r.spec.suite))
    empty = count([])
    rows = [Row([bench, suite], [cells.get((bench, suite), empty) for cells in per_col]) for bench, suite in keys]
    if len(keys) > 1:
        rows.append(Row(["all", "(episode-weighted)"], [count(recs) for _, recs in pairs], rule=True))
    where = f" ({fam})" if fam else ""
    return Table(f"success_by_suite{'_' + slug(fam) if fam else ''}", f"Success by benchmark and suite{where}",
                 ["bench", "suite"], [label for label, _ in pairs], rows, [ERRORS_NOTE, *skip_notes(pairs)])


def task_table(columns: Sequence[Column], fam: str | None = None) -> Table:
    pairs = scoped(columns, fam)
    key = lambda r: (bench_label(r), r.spec.suite, r.spec.task_id)  # noqa: E731
    keys, per_col = _cells(pairs, key)
    names = {key(r): r.spec.task_name for _, recs in pairs for r in recs}
    empty = count([])
    rows = [Row([b, s, f"{t}: {clip(names[(b, s, t)], 60)}"], [cells.get((b, s, t), empty) for cells in per_col])
            for b, s, t in keys]
    where = f" ({fam})" if fam else ""
    return Table(f"success_by_task{'_' + slug(fam) if fam else ''}", f"Success by task{where}",
                 ["bench", "suite", "task"], [label for label, _ in pairs], rows,
                 ["95% CI: Wilson score interval. " + ERRORS_NOTE])


def skip_notes(pairs: Sequence[tuple[str, list[EpisodeRecord]]]) -> list[str]:
    notes = []
    for label, recs in pairs:
        skipped = [r for r in recs if is_skipped(r)]
        if skipped:
            why = Counter(clip(r.error.message, 160) for r in skipped).most_common(3)
            notes.append(f"{label}: {len(skipped)} episodes skipped, not in any denominator ("
                         + "; ".join(f"{n}× {m}" for m, n in why) + ")")
        kinds = Counter(r.error.kind for r in recs if r.error is not None and not is_skipped(r))
        if kinds:
            notes.append(f"{label}: errors by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        # A benchmark flags caveats that make its numbers incomparable (e.g. a stand-in asset) in metrics["note"].
        notes += [f"{label}: note from the benchmark: {n}"
                  for n in sorted({str(r.metrics["note"]) for r in recs if r.metrics.get("note")})]
    return notes


def build_tables(columns: Sequence[Column], published: Path | None = None,
                 extra_notes: Sequence[str] = ()) -> list[Table]:
    """Every table of the report, in reading order."""
    runs = runs_table(columns)
    runs.notes += list(extra_notes)
    fams = sorted(families(columns), key=natural_key)
    if len(fams) < 2:
        fams = [None]
    across = families_table(columns)
    tables = [runs, *(suite_table(columns, f) for f in fams), *(task_table(columns, f) for f in fams),
              *robustness_tables(columns), *paired_tables(columns), *drop_difference_tables(columns),
              *([across] if across else []), *filter(None, [metrics_table(columns)])]
    if published is not None:
        tables += paper_tables(columns, read_published(published))
    runs.notes += protocol_notes(columns)  # once per report, under the table that lists the runs
    for table in tables:
        if flagged(table):
            table.notes.append(FLAG_NOTE)
    return tables


def render(tables: Sequence[Table], fmt: str, figures: Sequence[str] = ()) -> str:
    """The whole report as one text: md (also the terminal view), latex (a compilable document) or csv."""
    if fmt == "latex":
        return latex_document(list(tables), list(figures))
    if fmt == "csv":
        return "\n".join(f"# {t.title}\n{to_csv(t)}" for t in tables)
    figs = "".join(f"\n![{Path(f).stem}]({f})\n" for f in figures)
    return "# vla-harness report\n\n" + "\n".join(to_text(t) for t in tables) + figs


def write_report(tables: Sequence[Table], fmt: str, out_dir: Path, figures: Sequence[str] = ()) -> list[Path]:
    """report.md / report.tex, or one CSV per table (numbers unformatted) plus notes.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt != "csv":
        path = out_dir / ("report.tex" if fmt == "latex" else "report.md")
        path.write_text(render(tables, fmt, figures), encoding="utf-8")
        return [path]
    paths = []
    for t in tables:
        paths.append(out_dir / f"{t.name}.csv")
        paths[-1].write_text(to_csv(t), encoding="utf-8")
    notes = out_dir / "notes.md"
    notes.write_text("".join(f"## {t.name}.csv: {t.title}\n" + "".join(f"- {n}\n" for n in t.notes) + "\n"
                             for t in tables), encoding="utf-8")
    return [*paths, notes]
