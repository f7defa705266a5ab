"""`vla-harness resume RUN_DIR`: run only the episodes with no final record (missing, or an env/infra error)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vla_harness.cli.commands.eval_cmd import finishing, interrupted, print_summary
from vla_harness.cli.resolve import resume
from vla_harness.harness.config import parse_kv
from vla_harness.harness.progress import PLAIN


def run(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in {"runner": args.runner, "workers": args.workers,
                                               "ray_address": args.ray_address}.items() if v is not None}
    secrets = {"policy_options": parse_kv(args.policy_opt, "-P/--policy-opt"),
               "bench_options": parse_kv(args.bench_opt, "-B/--bench-opt")}
    try:
        with finishing([Path(args.run_dir)]):
            summary = resume(args.run_dir, progress=PLAIN if args.no_progress else True, runner_overrides=overrides,
                             secrets=secrets)
    except KeyboardInterrupt:
        return interrupted(Path(args.run_dir))
    print_summary(summary)
    return 0


def register(sub) -> None:
    p = sub.add_parser("resume", help="finish an interrupted run (re-runs missing episodes and env/infra errors)")
    p.add_argument("run_dir")
    p.add_argument("--runner", choices=["local", "ray"])
    p.add_argument("--workers", type=int)
    p.add_argument("--ray-address", help="join an existing Ray cluster ('auto' or host:port) instead of the run's")
    p.add_argument("--no-progress", action="store_true",
                   help="no live bar: a plain status line every tenth of the run or 60 s")
    p.add_argument("-P", "--policy-opt", action="append", default=[], metavar="K=V",
                   help="a secret policy option the run was started with (stored redacted), given again")
    p.add_argument("-B", "--bench-opt", action="append", default=[], metavar="K=V",
                   help="a secret benchmark option the run was started with (stored redacted), given again")
    p.set_defaults(func=run)
