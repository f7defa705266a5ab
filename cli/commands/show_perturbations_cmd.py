"""`vla-harness show-perturbations`: a PNG grid of what the policy sees, one row per dimension, one column per level."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from vla_harness.benchmarks.perturb import dimension
    from vla_harness.benchmarks.perturb.grid import check_camera, collect, draw
    from vla_harness.benchmarks.perturb.sweep import PerturbSweep
    from vla_harness.cli.resolve import build_benchmark
    from vla_harness.harness.config import ConfigError

    base = build_benchmark(args.bench, {})
    if not hasattr(base, "suite") or not args.bench.startswith("libero_") or isinstance(base, PerturbSweep):
        raise ConfigError(f"show-perturbations works on the LIBERO suites (libero_spatial, libero_object, libero_goal, "
                          f"libero_10, libero_90), not '{args.bench}'")
    if not 0 <= args.task < base.n_tasks():
        raise ConfigError(f"{args.bench} has tasks 0-{base.n_tasks() - 1}; got --task {args.task}")
    sweep = PerturbSweep(base, perturb=args.perturb, levels=args.levels)
    camera = check_camera(args.camera, base.protocol().cameras)
    print(f"rendering {args.bench} task {args.task} trial {args.trial}: {len(sweep.dimensions)} dimensions × "
          f"{len(sweep.levels)} levels ({', '.join(sweep.dimensions)}; levels {sweep.levels}), {camera} at {args.size} "
          "px; each cell builds the perturbed scene, about a second or more per cell on a CPU", file=sys.stderr)
    grid = collect(sweep, args.task, camera, args.size, trial=args.trial, seed=args.seed)
    out = args.out or f"perturbations_{args.bench}_task{args.task}.png"
    title = f"{args.bench} task {args.task} trial {args.trial} (seed {args.seed}): {camera}, {args.size} px"
    print(f"wrote {draw(grid, out, title)}", file=sys.stderr)
    for name in grid.dimensions:  # what a level's numbers mean, per row
        print(f"  {name}: {dimension(name).units or '-'}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("show-perturbations", help="PNG grid of every perturbation dimension x level for one task")
    p.add_argument("--bench", required=True, help="a LIBERO suite, e.g. libero_spatial")
    p.add_argument("--task", type=int, default=0, help="task id (default 0)")
    p.add_argument("--perturb", default="all", help="dimensions, comma-separated, or all (default)")
    p.add_argument("--levels", default="0-5", help="levels, e.g. 0-5 or 0,2,5 (default 0-5)")
    p.add_argument("--camera", default="agentview", help="which policy camera to show (default agentview)")
    p.add_argument("--size", type=int, default=128, help="image size in px, as the policy would get it (default 128)")
    p.add_argument("--trial", type=int, default=0, help="init state index (default 0)")
    p.add_argument("--seed", type=int, default=7, help="run seed the episode seed derives from (default 7)")
    p.add_argument("--out", help="PNG path (default perturbations_<bench>_task<task>.png)")
    p.set_defaults(func=run)
