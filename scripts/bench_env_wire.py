"""The wire's cost: the same official Google-robot env (variant aggregation, standing coke can, config 12), stepped
and observed in-process (in the simpler_official environment) and through the worker's child process.

    .venv/bin/python scripts/bench_env_wire.py [--steps 30] [--size 224]
Prints per step: seconds in-process, seconds through the child, and the wire's share (env_wire_s / wall)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTION = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], np.float32)


def _spec():
    from vla_harness.benchmarks.simpler.official.bench import SimplerGoogleBenchmark
    from vla_harness.harness.protocols import BenchSelection

    bench = SimplerGoogleBenchmark()
    return bench, bench.episodes(BenchSelection(suites=("variant_aggregation",), tasks=(2,), trials=13), 0)[12]


def _time(env, spec, steps: int, size: int) -> float:
    env.reset(spec)
    env.observe(("overhead_camera",), size)
    t0 = time.perf_counter()
    for _ in range(steps):
        env.observe(("overhead_camera",), size, ("qpos",))
        env.step(ACTION)
    return (time.perf_counter() - t0) / steps


def inproc(steps: int, size: int) -> None:
    from vla_harness.benchmarks.simpler.official.env import OfficialEnv

    bench, spec = _spec()
    from vla_harness.benchmarks.asset_cache import family_dir

    env = OfficialEnv(spec.suite, spec.task_name, spec.init_state_index, str(bench.tree / "data"),
                      str(family_dir("simpler_official") / "standin"))
    print(json.dumps({"inproc_s": _time(env, spec, steps, size)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--inproc", action="store_true")
    args = ap.parse_args()
    if args.inproc:
        return inproc(args.steps, args.size)
    from vla_harness.benchmarks.simpler.official.stack import stack

    st = stack()
    out = subprocess.run([str(st.python), __file__, "--inproc", "--steps", str(args.steps), "--size", str(args.size)],
                         capture_output=True, text=True, env={**__import__("os").environ, **st.env_vars}, check=True)
    inproc_s = json.loads(out.stdout.strip().splitlines()[-1])["inproc_s"]
    bench, spec = _spec()
    env = bench.make_env(spec)
    try:
        child_s = _time(env, spec, args.steps, args.size)
        wire = env.wire_s / args.steps
    finally:
        env.close()
    print(f"per step (observe {args.size}px + step), {args.steps} steps: in-process {inproc_s * 1e3:.1f} ms, "
          f"child {child_s * 1e3:.1f} ms, wire {wire * 1e3:.2f} ms ({100 * wire / child_s:.1f}% of the child's step)")


if __name__ == "__main__":
    main()
