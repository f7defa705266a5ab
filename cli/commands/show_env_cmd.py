"""`vla-harness show-env --bench B --task N`: the policy-view camera(s) of one task right after reset, as a PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from vla_harness.harness.config import ConfigError, parse_kv
from vla_harness.harness.episode import upright_frame
from vla_harness.harness.protocols import BenchSelection


def _frame(env, camera: str, size: int) -> np.ndarray:
    return np.asarray(upright_frame(env, camera, size))  # the upright image, as videos show it


def render_task(bench_name: str, task: int, trial: int, size: int, options: dict,
                cameras: list[str] | None = None) -> tuple[np.ndarray, str]:
    """One row of frames, one per camera (the protocol's cameras unless named), and the task's instruction."""
    from vla_harness.cli.resolve import build_benchmark

    if size < 1 or trial < 0:
        raise ConfigError(f"--size must be >= 1 and --trial >= 0; got size {size}, trial {trial}")
    bench = build_benchmark(bench_name, options)
    specs = [s for s in bench.episodes(BenchSelection(tasks=(task,), trials=trial + 1), run_seed=0) if s.trial == trial]
    if not specs:
        raise ConfigError(f"{bench_name} has no episode for task {task}, trial {trial}")
    env = bench.make_env(specs[0])
    try:
        env.reset(specs[0])
        frames = [_frame(env, cam, size) for cam in (cameras or bench.protocol().cameras)]
    finally:
        env.close()
    return np.concatenate(frames, axis=1).astype(np.uint8), specs[0].instruction


def run(args: argparse.Namespace) -> int:
    import imageio.v2 as imageio

    cameras = [c.strip() for c in args.cameras.split(",") if c.strip()] if args.cameras else None
    bench_options = parse_kv(args.bench_opt, "-B/--bench-opt")
    image, instruction = render_task(args.bench, args.task, args.trial, args.size, bench_options, cameras)
    out = Path(args.out or f"{args.bench}_task{args.task}.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(out, image)
    print(f"{out}  ({image.shape[1]}x{image.shape[0]}, task {args.task}: {instruction})", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("show-env", help="save the policy-view camera(s) of task N after reset as a PNG")
    p.add_argument("--bench", required=True, help="benchmark name (see `vla-harness list`)")
    p.add_argument("--task", type=int, required=True, help="task id")
    p.add_argument("--trial", type=int, default=0, help="which initial state / episode configuration (default 0)")
    p.add_argument("--size", type=int, default=256, help="image side in pixels (default 256)")
    p.add_argument("--cameras", help="comma-separated cameras (default: the protocol's cameras)")
    p.add_argument("-B", "--bench-opt", action="append", default=[], metavar="K=V", help="benchmark option")
    p.add_argument("--out", help="PNG path (default BENCH_taskN.png)")
    p.set_defaults(func=run)
