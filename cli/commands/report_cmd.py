"""`vla-harness report RUN_DIR...`: success tables (CIs, robustness, paper tables) and plots from stored runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("md", "latex", "csv")


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.load import check_protocols, load_columns
    from vla_harness.results.paper import PUBLISHED_CSV
    from vla_harness.results.report import build_tables, render, write_report

    columns = load_columns(args.run_dirs, args.label)
    if args.strict:
        from vla_harness.results.health import problems

        found = [p for col in columns for run in col.runs for p in problems(run)]
        if found:
            print("\n".join(f"error: {p}" for p in found), file=sys.stderr)
            print("report --strict: the runs hold damaged or duplicate records (see `vla-harness check`)",
                  file=sys.stderr)
            return 1
    mismatch = check_protocols(columns, args.allow_protocol_mismatch)
    published = None if args.published == "none" else Path(args.published or PUBLISHED_CSV)
    tables = build_tables(columns, published, mismatch)
    if args.out is None:
        print(render(tables, args.format))
        return 0
    out = Path(args.out)
    figures = []
    if not args.no_plots:
        from vla_harness.results.plots import make_plots

        pngs = make_plots(columns, out / "plots")  # each with a PDF beside it: LaTeX includes the vector one
        figures = [str((p.with_suffix(".pdf") if args.format == "latex" else p).relative_to(out)) for p in pngs]
    written = write_report(tables, args.format, out, figures)
    plots = f" and {len(figures)} plots (PNG + PDF) in {out / 'plots'}" if figures else ""
    print(f"wrote {', '.join(str(p) for p in written)}{plots}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="success tables with 95%% CIs, robustness breakdowns, paper tables and plots")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--format", choices=FORMATS, default="md", help="md (default; also the terminal view), latex, csv")
    p.add_argument("--out", metavar="DIR", help="write the report (and plots, PNG + PDF) here instead of printing it")
    p.add_argument("--label", action="append", metavar="NAME",
                   help="column name per RUN_DIR, in order (default: the policy, its checkpoint and sha256, its "
                   "options); equal names share a column and must be one policy")
    p.add_argument("--published", metavar="CSV", help="published baseline rows (default results/published.csv; 'none')")
    p.add_argument("--no-plots", action="store_true", help="with --out: skip the PNG plots")
    p.add_argument("--allow-protocol-mismatch", action="store_true",
                   help="put runs with different protocol hashes in one table anyway (the differences are noted)")
    p.add_argument("--strict", action="store_true",
                   help="fail (exit 1) instead of reporting when a run holds unreadable lines or duplicate records")
    p.set_defaults(func=run)
