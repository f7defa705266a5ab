"""Grippers across conventions (harness/gripper.py through harness/convert.py): an absolute policy on the Google
robot's relative gripper as SimplerEnv's Octo wrapper does it (sticky hold of 15), vla-eval's SimplerEnv rule checked
against vla-eval's own step, WidowX binarisation, the state carried across chunks and cleared per episode, and the
declarations that cannot be joined, in one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vla_harness.benchmarks.simpler.official.protocol import google_protocol
from vla_harness.benchmarks.simpler.protocol import bridge_protocol
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import Gripper, PolicyConventions
from vla_harness.harness.convert import conform, plan_for
from vla_harness.harness.gripper import GripperCommands
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.random_policy import RandomPolicy
from vla_harness.policies.zero_policy import ZeroPolicy

GOOGLE = google_protocol(Path("/nonexistent"), raster=False)
BRIDGE = bridge_protocol(False)
OPEN01 = Gripper(6, open=1.0, closed=0.0)  # an openness in [0, 1], as Octo and vla-eval's servers give it


def _commands(pc: PolicyConventions, bench=GOOGLE) -> GripperCommands:
    return plan_for(bench.conventions, PolicySpec(name="p", cameras=(), conventions=pc), bench.name, 7).commands()


def test_octo_difference_rule_holds_each_change_for_15_steps():
    """octo_model.py (google_robot): command = previous - current openness, 0 at first; > 0.5 is held 15 steps."""
    g = _commands(PolicyConventions(orientation=None, gripper=OPEN01))
    openness = [1.0] * 3 + [0.0] * 20 + [1.0] * 20 + [0.7]
    got = [g.convert(v) for v in openness]
    assert got[:3] == [0.0] * 3
    assert got[3:18] == [1.0] * 15 and got[18:23] == [0.0] * 5  # close, held 15 steps, then keep
    assert got[23:38] == [-1.0] * 15 and got[38:43] == [0.0] * 5  # open, held 15 steps
    assert got[43] == pytest.approx(0.3)  # a small change passes as it is, not held
    g.reset()
    assert g.convert(0.0) == 0.0  # a new episode starts without a previous value


def test_vla_eval_level_rule_is_vla_evals_own_sticky_step():
    from vla_eval.benchmarks.simpler.benchmark import SimplerEnvBenchmark

    class Env:
        def __init__(self):
            self.actions = []

        def step(self, action):
            self.actions.append(np.asarray(action))
            return None, 0.0, False, False, {}

    theirs = SimplerEnvBenchmark(gripper_mode="sticky")
    theirs._env, theirs._recorder = Env(), type("R", (), {"record_video": lambda *a: None,
                                                          "record_step": lambda *a, **k: None})()
    raw = np.random.default_rng(0).uniform(-0.2, 1.2, size=60)
    raw[10:14] = [0.1, 0.9, 0.8, 0.05]
    for value in raw:
        theirs.step({"actions": np.array([0, 0, 0, 0, 0, 0, value])})
    ours = _commands(PolicyConventions(orientation=None, gripper=OPEN01, to_relative="level"))
    assert np.allclose([ours.convert(v) for v in raw], [a[6] for a in theirs._env.actions])


def test_widowx_binarises_at_the_midpoint_and_maps_open_to_plus_one():
    g = _commands(PolicyConventions(orientation=None, gripper=OPEN01, binarize=True), BRIDGE)
    assert [g.convert(v) for v in (0.7, 0.51, 0.5, 0.3, -2.0)] == [1.0, 1.0, -1.0, -1.0, -1.0]
    plain = _commands(PolicyConventions(orientation=None, gripper=OPEN01), BRIDGE)
    assert plain.convert(0.75) == 0.5 and plain.identity is False


def test_zero_and_random_on_the_google_robot_state_across_chunks_reset_per_episode():
    zero = conform(ZeroPolicy(chunk=4, image_size=8), GOOGLE)
    obs = Observation(images={"overhead_camera": np.zeros((8, 8, 3), np.uint8)}, state={}, instruction="", step=0)
    zero.reset(TaskInfo("simpler_google", "variant_aggregation", 0, "t", "pick coke can"))
    assert np.all(zero.act(obs)[:, 6] == 0.0)  # always open: no change, no command
    task = TaskInfo("simpler_google", "variant_aggregation", 0, "t", "pick coke can", seed=5)
    rand = conform(RandomPolicy(chunk=4, seed=1), GOOGLE)
    rand.reset(task)
    chunks = [rand.act(obs) for _ in range(3)]
    raw = RandomPolicy(chunk=4, seed=1)
    raw.reset(task)
    raw_chunks = [raw.act(obs) for _ in range(3)]
    expected = GripperCommands(Gripper(6, -1.0, 1.0), GOOGLE.conventions.action.gripper)
    want = [expected.convert(v) for v in np.concatenate([c[:, 6] for c in raw_chunks])]
    assert np.array_equal(np.concatenate([c[:, 6] for c in chunks]), np.float32(want))  # one hold across chunks
    assert all(np.array_equal(c[:, :6], r[:, :6]) for c, r in zip(chunks, raw_chunks))
    rand.reset(task)
    assert np.array_equal(rand.act(obs), chunks[0])  # the hold does not leak into the next episode


def test_only_the_actions_the_loop_runs_are_converted():
    import dataclasses

    short = dataclasses.replace(GOOGLE, replan_steps=2)
    rand = conform(RandomPolicy(chunk=5, seed=2), short)
    rand.reset(TaskInfo("simpler_google", "s", 0, "t", "i", seed=1))
    obs = Observation(images={}, state={}, instruction="", step=0)
    assert rand.act(obs).shape == (2, 7)


def test_declarations_that_cannot_be_joined_are_one_line():
    relative = PolicyConventions(orientation=None, gripper=Gripper(6, -1.0, 1.0, relative=True))
    with pytest.raises(ConfigError, match="policy 'p' on 'simpler_bridge': the policy's gripper is relative"):
        _commands(relative, BRIDGE)
    assert _commands(relative, GOOGLE).identity  # RT-1's relative commands go through as they are
    with pytest.raises(ConfigError, match="to_relative='octo' is not one of difference, level"):
        _commands(PolicyConventions(orientation=None, to_relative="octo"))
    with pytest.raises(ValueError, match="keeps state across steps"):
        plan_for(GOOGLE.conventions, ZeroPolicy(image_size=8).spec(), "simpler_google", 7).actions(np.zeros((1, 7)))


def test_a_served_policys_gripper_declaration_crosses_the_wire():
    from vla_harness.harness.conventions import as_dict

    pc = PolicyConventions(orientation=None, gripper=Gripper(6, 1.0, 0.0, relative=True, sticky_steps=3),
                           to_relative="level", binarize=True)
    assert PolicyConventions.from_dict(as_dict(pc)) == pc  # what `--policy remote` reads from the server's metadata
