"""`vla-harness export RUN_DIR...`: every stored record as one flat table (Parquet or CSV) for pandas users."""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.export import records_frame, write_frame

    if args.to:
        from vla_harness.cli.commands.export_peer import export_to

        return export_to(args)
    args.format = args.format or "parquet"
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
    p.add_argument("--format", choices=("parquet", "csv"), help="flat table format (default parquet)")
    p.add_argument("--to", choices=("lerobot", "vla-eval"),
                   help="one run as lerobot's eval_info.json or vla-eval's aggregate JSON (docs/ci.md)")
    p.add_argument("--out", metavar="FILE", help="output file (default RUN_DIR/episodes.FORMAT for one run)")
    p.set_defaults(func=run)
