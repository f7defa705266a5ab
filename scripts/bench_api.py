"""`make bench-api`: what the Python API's warm envs save inside a training loop, on a real LIBERO suite.

One Evaluator evaluates the same policy object --calls times on the same episodes (as a training loop does every N
steps): the first call builds one env per task, the later ones reuse them. Then one cold call in the same process (a
fresh Evaluator: imports are warm, envs are not), and one `vla-harness eval` in a new process (what shelling out to the
CLI from a training loop costs). Prints each call's wall time split into env construction (timed inside the
benchmark's make_env) and episodes, the envs built and the process RSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vla_harness  # noqa: E402
from vla_harness.cli.resolve import build_benchmark  # noqa: E402
from vla_harness.policies.zero_policy import ZeroPolicy  # noqa: E402

BUILD_S: list[float] = []  # seconds spent in the benchmark's make_env, every call: what warm envs save


def time_env_builds(bench: str) -> None:
    cls = type(build_benchmark(bench, {}))
    make_env = cls.make_env

    def timed(self, spec):
        t0 = time.perf_counter()
        try:
            return make_env(self, spec)
        finally:
            BUILD_S.append(time.perf_counter() - t0)

    cls.make_env = timed


def split(result, built_before: int) -> str:
    """Env construction and episode seconds of one call (the rest is planning, the run store and the thread)."""
    episodes = sum(r.time.wall_s for r in result.records)
    return f"env builds {sum(BUILD_S[built_before:]):5.1f} s, episodes {episodes:5.1f} s"


def rss_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="libero_spatial")
    parser.add_argument("--tasks", default="0,1")
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=60, help="short episodes: the env cost is what is measured")
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    tasks = [int(t) for t in args.tasks.split(",")]
    policy = ZeroPolicy(chunk=8)
    out = tempfile.mkdtemp(prefix="bench-api-")
    selection = dict(tasks=tasks, trials=args.trials, max_steps=args.max_steps, out=out)
    print(f"{args.bench} tasks {tasks} x {args.trials} trial(s), max steps {args.max_steps}, zero policy (chunk 8); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    time_env_builds(args.bench)
    with vla_harness.Evaluator(args.bench, **selection) as ev:
        for i in range(1, args.calls + 1):
            before = len(BUILD_S)
            r = ev.evaluate(policy, name=f"warm{i}", label="zero-object")
            print(f"warm call {i}: {r.wall_s:6.1f} s ({split(r, before)}), {r.envs_built} env(s) built, "
                  f"{r.success.n} episodes, RSS {rss_gib():.2f} GiB, load {os.getloadavg()[0]:.1f}")
    before = len(BUILD_S)
    r = vla_harness.evaluate(policy, args.bench, name="cold", label="zero-object", **selection)
    print(f"cold call  : {r.wall_s:6.1f} s ({split(r, before)}), {r.envs_built} env(s) built (a fresh Evaluator), "
          f"load {os.getloadavg()[0]:.1f}")
    cli = [sys.executable, "-m", "vla_harness", "eval", "--bench", args.bench, "--policy", "zero", "-P", "chunk=8",
           "--tasks", args.tasks, "--trials", str(args.trials), "--max-steps", str(args.max_steps), "--out", out,
           "--name", "cli", "--no-progress"]
    t0 = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True)
    print(f"CLI process: {time.perf_counter() - t0:6.1f} s (`vla-harness eval`, new process), "
          f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
