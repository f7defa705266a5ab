"""`make bench`: the harness loop vs the physics limit and vs a naive loop, in one run.

Same LIBERO episodes (same init states and seeds), same deterministic chunked policy (zero, chunk 8), three arms:
physics only (no renderer at all: the limit), the harness (both cameras at 224 px, rendered only before each chunk),
and the naive loop (both 256 px cameras rendered every step). Prints episodes/hour for each, harness/physics-only and
harness/naive, the harness's time split and overhead share; success outcomes must match across the arms.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vla_harness.benchmarks.libero.bench import init_states, libero_task  # noqa: E402
from vla_harness.benchmarks.libero.protocol import SETTLE_ACTION, SETTLE_STEPS  # noqa: E402
from vla_harness.cli.resolve import evaluate  # noqa: E402
from vla_harness.harness.config import RunConfig  # noqa: E402
from vla_harness.policies.zero_policy import ZeroPolicy  # noqa: E402


def plain_episode(spec, env, policy) -> tuple[bool, int]:
    """The common eval-script loop, one env.step per action (with OffScreenRenderEnv each renders both cameras)."""
    env.seed(spec.seed)
    env.reset()
    env.set_init_state(init_states(spec.suite, spec.task_id)[spec.init_state_index])
    for _ in range(SETTLE_STEPS):
        env.step(np.asarray(SETTLE_ACTION))
    steps, chunk, done = 0, [], False
    while steps < spec.max_steps and not done:
        if not chunk:
            chunk = list(policy.act(None))
        _obs, _reward, done, _info = env.step(chunk.pop(0))
        steps += 1
    return bool(done), steps


def run_loop(specs, rendered: bool) -> tuple[float, list[tuple[bool, int]]]:
    """The plain loop over the episodes, one env per task: both 256 px cameras every step, or no renderer at all."""
    from libero.libero.envs import OffScreenRenderEnv
    from libero.libero.envs.env_wrapper import ControlEnv

    policy, outcomes, env, env_task = ZeroPolicy(chunk=8), [], None, None
    t0 = time.perf_counter()
    for spec in specs:
        if spec.task_id != env_task:
            if env is not None:
                env.close()
            bddl = libero_task(spec.suite, spec.task_id).bddl_path
            with contextlib.redirect_stdout(io.StringIO()):
                env = (OffScreenRenderEnv(bddl_file_name=bddl, camera_heights=256, camera_widths=256) if rendered
                       else ControlEnv(bddl_file_name=bddl, use_camera_obs=False, has_offscreen_renderer=False))
            env_task = spec.task_id
        outcomes.append(plain_episode(spec, env, policy))
    env.close()
    return time.perf_counter() - t0, outcomes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--suite", default="libero_spatial")
    ap.add_argument("--tasks", default="0,1,2,3,4")
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--out", default=None, help="write the figures as JSON here")
    args = ap.parse_args()
    tasks = [int(t) for t in args.tasks.split(",")]
    cfg = RunConfig(bench=args.suite, policy="zero", tasks=tasks, trials=args.trials, max_steps=args.max_steps,
                    out=tempfile.mkdtemp(prefix="bench-"), name="harness",
                    policy_options={"chunk": 8, "cameras": ["agentview", "robot0_eye_in_hand"], "image_size": 224})
    t0 = time.perf_counter()
    summary = evaluate(cfg, progress=True)
    harness_s = time.perf_counter() - t0
    records = sorted(summary.records, key=lambda r: r.key)
    specs = [r.spec for r in records]
    physics_s, physics = run_loop(specs, rendered=False)
    naive_s, naive = run_loop(specs, rendered=True)
    n = len(records)
    parts = ("wall_s", "sim_s", "render_s", "policy_s", "overhead_s")
    split = {k: sum(getattr(r.time, k) for r in records) for k in parts}
    harness = [(r.success, r.steps) for r in records]
    figures = {
        "episodes": n, "suite": args.suite, "max_steps": records[0].spec.max_steps, "load_average": os.getloadavg(),
        "physics_only_eps_per_hour": 3600 * n / physics_s, "harness_eps_per_hour": 3600 * n / harness_s,
        "naive_eps_per_hour": 3600 * n / naive_s, "harness_vs_physics_only": physics_s / harness_s,
        "harness_vs_naive": naive_s / harness_s, "harness_overhead_share": split["overhead_s"] / split["wall_s"],
        "harness_split_s": split, "outcomes_match": harness == naive == physics,
    }
    print(json.dumps(figures, indent=2))
    print(f"\nphysics only {figures['physics_only_eps_per_hour']:.0f} eps/h, harness "
          f"{figures['harness_eps_per_hour']:.0f} eps/h, naive {figures['naive_eps_per_hour']:.0f} eps/h: harness at "
          f"{figures['harness_vs_physics_only']:.2f} of the physics limit and {figures['harness_vs_naive']:.2f}x the "
          f"naive loop; harness overhead {100 * figures['harness_overhead_share']:.2f}% of wall time; "
          f"outcomes match: {figures['outcomes_match']}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2))
    return 0 if figures["outcomes_match"] else 1


if __name__ == "__main__":
    sys.exit(main())
