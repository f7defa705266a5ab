"""`vla-harness export RUN_DIR...`: every stored record as one flat table (Parquet or CSV) for pandas users."""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.export import records_frame, write_frame

    frame = records_frame(args.run_dirs)
    name = f"episodes.{args.format}"
    default = Path(args.run_dirs[0]) / name if len(args.run_dirs) == 1 else Path(name)
    path = write_frame(frame, Path(args.out) if args.out else default, args.format)
    used = int(frame["used"].sum()) if len(frame) else 0
    print(f"wrote {path}: {len(frame)} records ({used} used by the tables: the latest final outcome per key, "
          "policy faults included)")
    return 0


def register(sub) -> None:
    p = sub.add_parser("export", help="all records as Parquet/CSV (one row per attempt, flattened)")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--out", metavar="FILE", help="output file (default RUN_DIR/episodes.FORMAT for one run)")
    p.set_defaults(func=run)
