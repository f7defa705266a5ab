"""`vla-harness eval`: start a run and execute it."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from vla_harness.cli.resolve import plan_run
from vla_harness.harness.config import RunConfig, apply_overrides, load_yaml, parse_kv
from vla_harness.harness.evaluate import evaluate_new
from vla_harness.harness.options import int_ranges
from vla_harness.harness.progress import PLAIN


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML RunConfig file; flags override it")
    p.add_argument("--bench", help="benchmark name (see `vla-harness list`)")
    p.add_argument("--policy", help="policy name (see `vla-harness list`)")
    p.add_argument("--suites", type=_csv, help="comma-separated suites")
    p.add_argument("--tasks", type=int_ranges, help="task ids, e.g. 0,1 or 0-4")
    p.add_argument("--trials", type=int, help="trials (init states) per task")
    p.add_argument("--max-steps", type=int, help="override the protocol's max steps (recorded in the hash)")
    p.add_argument("--checkpoint", help="policy checkpoint path (sets policy option checkpoint)")
    p.add_argument("--policy-url", help="remote policy server URL (sets policy option url)")
    p.add_argument("-P", "--policy-opt", action="append", default=[], metavar="K=V", help="policy constructor option")
    p.add_argument("-B", "--bench-opt", action="append", default=[], metavar="K=V", help="benchmark option")
    p.add_argument("--seed", type=int)
    p.add_argument("--runner", choices=["local", "ray"])
    p.add_argument("--workers", type=int)
    p.add_argument("--ray-address", help="join an existing Ray cluster ('auto' or host:port)")
    p.add_argument("--video", choices=["none", "failures", "all"])
    p.add_argument("--vision-probe", choices=["none", "first_frame", "other_episode"],
                   help="replace the camera input: the episode's first frame, or another episode's frames "
                   "(hashed into the run; docs/vision_check.md)")
    p.add_argument("--out", help="parent folder of run directories (default runs/)")
    p.add_argument("--name", help="run directory name (default bench-policy-timestamp)")
    p.add_argument("--set", action="append", default=[], metavar="A.B=C", help="override any config field")
    p.add_argument("--no-progress", action="store_true",
                   help="no live bar: a plain status line every tenth of the run or 60 s (what a log outside a "
                   "terminal always gets)")
    p.add_argument("--dimensions", help="perturbation dimensions, e.g. camera,light (sets bench option dimensions)")
    p.add_argument("--difficulty", help="difficulty levels, e.g. 3-5 (sets bench option difficulty)")
    p.add_argument("--sample", type=int, help="K variants per dimension x suite, fixed seed (sets bench option sample)")
    p.add_argument("--axes", help="LIBERO-PRO / LIBERO-Para perturbation axes, e.g. object,position (sets bench option "
                   "axes)")
    p.add_argument("--perturb", type=_csv, help="native perturbation sweep on a LIBERO suite: camera,light,background,"
                   "noise,robot_init,language,layout or all (sets bench option perturb)")
    p.add_argument("--protocol", help="named paper protocol for LIBERO / LIBERO-Plus: libero (default), openpi, "
                   "vla-jepa, lerobot (sets bench option protocol; docs/protocols.md)")
    p.add_argument("--levels", type=int_ranges, help="sweep levels 0-5, e.g. 0-5 or 0,2,5 (sets bench option levels)")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    data = load_yaml(args.config) if args.config else {}
    flags = {"bench": args.bench, "policy": args.policy, "suites": args.suites, "tasks": args.tasks,
             "trials": args.trials, "max_steps": args.max_steps, "seed": args.seed, "runner": args.runner,
             "workers": args.workers, "ray_address": args.ray_address, "video": args.video, "out": args.out,
             "name": args.name, "vision_probe": args.vision_probe}
    data.update({k: v for k, v in flags.items() if v is not None})
    policy_opts = {**data.get("policy_options", {}), **parse_kv(args.policy_opt, "-P/--policy-opt")}
    if args.checkpoint:
        policy_opts["checkpoint"] = args.checkpoint
    if args.policy_url:
        policy_opts["url"] = args.policy_url
    data["policy_options"] = policy_opts
    data["bench_options"] = {**data.get("bench_options", {}), **parse_kv(args.bench_opt, "-B/--bench-opt"),
                              **_bench_flags(args)}
    return RunConfig.from_dict(apply_overrides(data, args.set)).validate()


def _bench_flags(args: argparse.Namespace) -> dict:
    flags = {"dimensions": args.dimensions, "axes": args.axes, "difficulty": args.difficulty, "sample": args.sample,
             "perturb": args.perturb, "levels": args.levels, "protocol": args.protocol}
    return {k: v for k, v in flags.items() if v is not None}


def print_summary(summary) -> None:
    from vla_harness.harness.runs import open_run
    from vla_harness.results.facts import facts_of
    from vla_harness.results.identity import identities
    from vla_harness.results.load import protocol_line
    from vla_harness.results.summary import summary_table

    manifest = summary.manifest or open_run(summary.run_dir, warn=False).manifest
    found = identities(manifest.config, summary.records)
    print(f"\nrun: {summary.run_dir}  ({summary.executed} episodes executed, {len(summary.records)} records)")
    print("policy: " + "; ".join(f"{i.label}  ({i.describe()})" for i in found)
          + (f"  WARNING: the records name {len(found)} different policies" if len(found) > 1 else ""))
    print(summary_table(summary.records, facts=facts_of(manifest)))
    line = protocol_line(manifest)
    if line:
        print(line)


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.forecast import plan_lines

    plan = plan_run(config_from_args(args))
    started: list[Path] = []

    def announce(run_dir: Path) -> None:  # once the run directory exists: a refused start stays one line
        started.append(run_dir)
        print("\n".join([*plan_lines(plan), f"run directory: {run_dir}"]), file=sys.stderr)

    try:
        with finishing(started):
            summary = evaluate_new(plan, progress=PLAIN if args.no_progress else True, announce=announce)
    except KeyboardInterrupt:
        return interrupted(started[0] if started else None)
    print_summary(summary)
    return 0


def interrupted(run_dir: Path | None) -> int:
    print(f"\ninterrupted: every finished episode is on disk; `vla-harness resume {run_dir or 'RUN_DIR'}` finishes "
          "the run", file=sys.stderr)
    return 130


@contextlib.contextmanager
def finishing(started: list[Path]):
    """However the run ends (finished, stopped, interrupted), summary.json is written beside its records; not when
    this process was refused as a second writer (the run's writer owns the file)."""
    from vla_harness.harness.runlock import RunLocked

    refused = False
    try:
        yield
    except RunLocked:
        refused = True
        raise
    finally:
        if started and not refused and (started[0] / "manifest.json").is_file():
            from vla_harness.harness.errors import UserError
            from vla_harness.results.run_summary import write_summary

            try:
                write_summary(started[0])
            except UserError:
                pass  # an unreadable run: the command's own error already says so, in one line
            except OSError as exc:
                print(f"warning: no summary.json written: {exc}", file=sys.stderr)


def register(sub) -> None:
    p = sub.add_parser("eval", help="evaluate a policy on a benchmark")
    add_run_options(p)
    p.set_defaults(func=run)
