"""The Python API on real LIBERO: a second in-loop call reuses the env (its renderer lives on the Evaluator's one
episode thread) and gives the same outcome for the same episode."""

from __future__ import annotations

import pytest

import vla_harness
from vla_harness.policies.zero_policy import ZeroPolicy

pytestmark = pytest.mark.sim


def test_a_second_call_on_libero_builds_no_env_and_repeats_the_episode(tmp_path):
    policy = ZeroPolicy(chunk=8, image_size=64)
    with vla_harness.Evaluator("libero_spatial", tasks=[0], trials=1, max_steps=16, out=tmp_path) as ev:
        first = ev.evaluate(policy, name="first", label="zero-object")
        second = ev.evaluate(policy, name="second", label="zero-object")
    assert (first.envs_built, second.envs_built) == (1, 0)
    (a,), (b,) = first.records, second.records
    assert a.error is None and b.error is None and a.key == b.key
    assert (a.success, a.steps) == (b.success, b.steps) and a.time.render_s > 0 and b.time.render_s > 0
