"""LIBERO `-B placements=fresh`: episodes start from LIBERO's own placement samplers seeded by the episode seed,
never from one of the 50 fixed init states (the training data for VLA-JEPA is recorded this way)."""

import numpy as np
import pytest

from vla_harness.benchmarks.libero.bench import LiberoBenchmark, init_states
from vla_harness.benchmarks.libero.suites import libero_spatial
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection


def test_fresh_placements_are_unbounded_in_the_protocol_hash_and_validated():
    fresh, fixed = LiberoBenchmark("libero_spatial", placements="fresh"), LiberoBenchmark("libero_spatial")
    specs = fresh.episodes(BenchSelection(tasks=(0,), trials=60), run_seed=1701)
    assert len(specs) == 60 and {s.init_state_index for s in specs} == {None}
    assert len({s.seed for s in specs}) == 60  # one placement seed per trial
    assert "placements" in fresh.protocol().extra and "placements" not in fixed.protocol().extra
    assert fresh.protocol().extra != fixed.protocol().extra
    with pytest.raises(ConfigError, match="50 fixed init states"):
        fixed.episodes(BenchSelection(tasks=(0,), trials=60), run_seed=7)
    with pytest.raises(ConfigError, match="placements must be one of fixed, fresh"):
        libero_spatial(placements="random")
    with pytest.raises(ConfigError, match="cannot be combined with perturb"):
        libero_spatial(placements="fresh", perturb="light")
    assert libero_spatial(placements="fresh").placements == "fresh"


@pytest.mark.sim
def test_fresh_placement_is_seeded_and_no_fixed_init_state():
    bench = LiberoBenchmark("libero_spatial", placements="fresh")
    a, b = bench.episodes(BenchSelection(tasks=(0,), trials=2), run_seed=1701)
    env = bench.make_env(a)
    try:
        states = []
        for spec in (a, b, a):
            env.reset(spec)
            states.append(np.asarray(env.env.get_sim_state(), dtype=np.float64))
    finally:
        env.close()
    fixed = init_states("libero_spatial", 0)
    np.testing.assert_array_equal(states[0], states[2])  # same placement seed, same scene
    assert np.abs(states[0] - states[1]).max() > 1e-3  # another seed, another placement
    for state in states[:2]:
        assert min(np.abs(state - s).max() for s in fixed) > 1e-3  # none of the 50 evaluation init states
