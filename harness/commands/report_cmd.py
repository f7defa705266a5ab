"""`vla-harness report RUN_DIR...`: success tables from stored runs."""

from __future__ import annotations

import argparse

from harness.store import read_records


def run(args: argparse.Namespace) -> int:
    from results.summary import summary_table

    for run_dir in args.run_dirs:
        print(f"## {run_dir}")
        print(summary_table(read_records(run_dir)))
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="success tables from stored runs")
    p.add_argument("run_dirs", nargs="+")
    p.set_defaults(func=run)
