"""`vla-harness record`: roll a policy out with the harness loop and keep episodes as a LIBERO-layout dataset."""

from __future__ import annotations

import argparse
import sys

from vla_harness.cli.resolve import targets_for
from vla_harness.harness.config import parse_kv
from vla_harness.harness.options import int_ranges


def run(args: argparse.Namespace) -> int:
    from vla_harness.recording.record import RecordConfig, record

    cfg = RecordConfig(bench=args.bench, policy=args.policy, out=args.out,
                       tasks=tuple(args.tasks) if args.tasks else None, trials=args.trials,
                       first_trial=args.first_trial, size=args.size, frame_every=args.frame_every, keep=args.keep,
                       seed=args.seed,
                       max_steps=args.max_steps, policy_options=parse_kv(args.policy_opt, "-P/--policy-opt"),
                       bench_options=parse_kv(args.bench_opt, "-B/--bench-opt"))

    def show(rec, kept: bool) -> None:
        outcome = "error " + rec.error.kind if rec.error else ("success" if rec.success else "failure")
        print(f"{rec.key}: {outcome}, {rec.steps} steps, {rec.time.wall_s:.1f} s{', kept' if kept else ''}",
              file=sys.stderr, flush=True)

    s = record(cfg, targets_for(cfg.bench, cfg.policy), on_episode=None if args.quiet else show)
    per_min = s.kept / (s.wall_s / 60) if s.wall_s > 0 else 0.0
    print(f"{args.out}: kept {s.kept} of {s.attempted} episodes ({s.successes} successes, {s.errors} errors), "
          f"{s.steps_kept} steps, {s.wall_s:.0f} s, {per_min:.2f} demos/min")
    return 0


def register(sub) -> None:
    p = sub.add_parser("record", help="record policy rollouts as a LIBERO-layout HDF5 dataset")
    p.add_argument("--bench", required=True, help="benchmark name (see `vla-harness list`)")
    p.add_argument("--policy", required=True, help="policy name, e.g. oracle or random")
    p.add_argument("--out", required=True, help="dataset folder (one <task>_demo.hdf5 per task; appended to)")
    p.add_argument("--tasks", type=int_ranges, help="task ids, e.g. 0,1 or 0-9 (default: all)")
    p.add_argument("--trials", type=int, default=1, help="episodes (init states) per task")
    p.add_argument("--first-trial", type=int, default=0, help="first init state (extend a dataset with new ones)")
    p.add_argument("--size", type=int, default=128, help="frame size in pixels (square)")
    p.add_argument("--frame-every", type=int, default=1, metavar="K",
                   help="render frames only every K-th step (actions and state every step)")
    p.add_argument("--keep", default="success", help="success (default) or all (keeps failures: unlabelled video)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--max-steps", type=int, help="override the protocol's max steps")
    p.add_argument("-P", "--policy-opt", action="append", default=[], metavar="K=V", help="policy constructor option")
    p.add_argument("-B", "--bench-opt", action="append", default=[], metavar="K=V", help="benchmark option")
    p.add_argument("--quiet", action="store_true", help="no line per episode")
    p.set_defaults(func=run)
