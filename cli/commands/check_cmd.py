"""`vla-harness check RUN_DIR...`: is each run whole? Exit 1 on damage (unreadable lines, duplicates), else 0.

Says what readers say too (still running, interrupted, incomplete: planned vs recorded, errors left by kind) and
takes no lock: it can run beside a writer.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.health import problems, state_notes
    from vla_harness.results.load import load_run

    failed = 0
    for path in args.run_dirs:
        data = load_run(path)
        found = problems(data)
        for note in state_notes(data):
            print(("FAIL " if note in found else "note ") + note)
        keys = len({r.key for r in data.records})
        print(f"{'FAIL' if found else 'OK  '} {path}: {len(data.records)} records, {keys} episode keys, "
              f"status {data.manifest.status or 'unknown'}")
        failed += bool(found)
    return 1 if failed else 0


def register(sub) -> None:
    p = sub.add_parser("check", help="check runs for damaged or duplicate records (exit 1) and say their state")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.set_defaults(func=run)
