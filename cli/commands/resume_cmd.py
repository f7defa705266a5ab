"""`vla-harness resume RUN_DIR`: run only the episodes with no final record (missing, or an env/infra error)."""

from __future__ import annotations

import argparse

from vla_harness.cli.commands.eval_cmd import print_summary
from vla_harness.cli.resolve import resume


def run(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in {"runner": args.runner, "workers": args.workers,
                                               "ray_address": args.ray_address}.items() if v is not None}
    print_summary(resume(args.run_dir, progress=not args.no_progress, runner_overrides=overrides))
    return 0


def register(sub) -> None:
    p = sub.add_parser("resume", help="finish an interrupted run (re-runs missing episodes and env/infra errors)")
    p.add_argument("run_dir")
    p.add_argument("--runner", choices=["local", "ray"])
    p.add_argument("--workers", type=int)
    p.add_argument("--ray-address", help="join an existing Ray cluster ('auto' or host:port) instead of the run's")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)
