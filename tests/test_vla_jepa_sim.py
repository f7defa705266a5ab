"""VLA-JEPA in real LIBERO: the adapter drives a few steps of an episode; the shipped checkpoint loads by default."""

import json

import numpy as np
import pytest

from vla_harness.benchmarks.libero.bench import LiberoBenchmark
from vla_harness.harness.convert import conform
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.policies.vla_jepa.checkpoint import DEFAULT, size_bytes


def test_shipped_checkpoint_is_small_trained_and_loads_by_default():
    from vla_harness.policies.vla_jepa.adapter import VlaJepaPolicy

    assert size_bytes(DEFAULT) <= 20 * 2**20
    manifest = json.loads((DEFAULT / "manifest.json").read_text())
    assert manifest["steps"]["stage1"] > 0 and manifest["steps"]["stage2"] > 0
    assert manifest["data"]["episodes"] > 0 and "gates" in manifest
    policy = VlaJepaPolicy()
    assert policy.path == str(DEFAULT) and policy.spec().replan_steps == 8


@pytest.mark.sim
def test_adapter_runs_a_real_libero_episode():
    from vla_harness.policies.vla_jepa.adapter import VlaJepaPolicy

    bench = LiberoBenchmark("libero_spatial")
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1, max_steps=10), run_seed=7)[0]
    policy = VlaJepaPolicy()  # the shipped checkpoint
    seen = []
    act = policy.act
    policy.act = lambda obs: seen.append(obs) or act(obs)
    env = bench.make_env(spec)
    try:
        out = run_episode(env, conform(policy, bench.protocol()), spec, bench.protocol())
    finally:
        env.close()
    assert out.error is None, out.error
    assert out.steps == 10 and len(seen) == 2  # two chunks of 8 actions
    frames, _, state = policy.inputs(seen[0])
    assert frames.shape == (1, len(policy.cfg.cameras), 3, policy.cfg.image_size, policy.cfg.image_size)
    assert float(frames.std()) > 0.02 and np.isfinite(state.numpy()).all()  # a real rendered scene
