"""What the conventions conversion costs per decision point, next to the render it follows (`make bench-conventions`).

A real LIBERO env (libero_spatial task 0): at each decision point the loop renders what the policy declared; the
worker then converts it (harness/convert.py: orientation, camera names, state vectors, gripper mapping). Timed for
openpi's LIBERO convention (two cameras at 256 px, 8-d state) and VLA-JEPA's shipped one. openpi's own preprocessing
(`resize_with_pad` to 224) is the model's, not the conversion's: reported apart. Target: conversion <= 5% of render.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MUJOCO_GL", "egl")

from vla_harness.benchmarks.libero.bench import LiberoBenchmark
from vla_harness.harness.convert import plan_for
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.types import PolicySpec
from vla_harness.policies.vla_jepa.adapter import CONVENTIONS as VLA_JEPA
from vla_harness.policies.wire.openpi_libero import CONVENTIONS as OPENPI

SPECS = {
    "openpi": PolicySpec(name="openpi", cameras=("primary", "wrist"), image_size=256, replan_steps=5,
                         conventions=OPENPI),
    "vla_jepa": PolicySpec(name="vla_jepa", cameras=("agentview", "eye_in_hand"), image_size=128, replan_steps=8,
                           conventions=VLA_JEPA),
}


def measure(env, protocol, spec: PolicySpec, decisions: int) -> dict[str, float]:
    from openpi_client import image_tools

    plan = plan_for(protocol.conventions, spec, protocol.name, protocol.action_dim)
    env_spec = plan.env_spec
    chunk = np.zeros((spec.replan_steps, 7), np.float32)
    render = convert = resize = 0.0
    for _ in range(decisions):
        t0 = time.perf_counter()
        obs = env.observe(env_spec.cameras, env_spec.image_size, env_spec.state_keys)
        t1 = time.perf_counter()
        seen = plan.observation(obs)
        plan.actions(chunk)
        t2 = time.perf_counter()
        if spec.name == "openpi":
            for img in seen.images.values():
                image_tools.convert_to_uint8(image_tools.resize_with_pad(img, 224, 224))
        t3 = time.perf_counter()
        render, convert, resize = render + t1 - t0, convert + t2 - t1, resize + t3 - t2
        for action in chunk:
            env.step(action)
    return {"render_ms": 1e3 * render / decisions, "convert_ms": 1e3 * convert / decisions,
            "resize_ms": 1e3 * resize / decisions}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--decisions", type=int, default=50, help="decision points per policy convention")
    args = p.parse_args(argv)
    bench = LiberoBenchmark("libero_spatial")
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1), 7)[0]
    env = bench.make_env(spec)
    try:
        for name, pspec in SPECS.items():
            env.reset(spec)
            m = measure(env, bench.protocol(), pspec, args.decisions)
            share = 100 * m["convert_ms"] / m["render_ms"]
            print(f"{name:9s} {args.decisions} decisions: render {m['render_ms']:.2f} ms, conversion "
                  f"{m['convert_ms']:.3f} ms ({share:.2f}% of render; target <= 5%)"
                  + (f", openpi resize_with_pad {m['resize_ms']:.2f} ms" if name == "openpi" else ""))
    finally:
        env.close()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
