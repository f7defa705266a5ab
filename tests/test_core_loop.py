"""The episode loop on the fake benchmark: render-on-demand, chunking, settle steps, errors."""

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.fake.bench import PROTOCOL, FakeBenchmark
from vla_harness.harness.episode import EpisodeObserver, run_episode
from vla_harness.harness.protocols import BatchPolicy, BenchSelection, PrivilegedStateSource, VideoFrameSource


@pytest.fixture()
def spec_env():
    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1, max_steps=20), run_seed=7)[0]
    return spec, bench.make_env(spec)


def test_renders_only_before_each_chunk_and_never_while_settling(spec_env):
    spec, env = spec_env
    policy = ScriptedPolicy(chunk=np.zeros((8, 7), np.float32))
    out = run_episode(env, policy, spec, PROTOCOL)
    assert out.error is None and out.success is False
    assert out.steps == 20  # max_steps counts policy steps only, settle steps excluded
    assert len(policy.calls) == 3  # ceil(20 / 8) decision points
    assert env.renders == 3
    assert env.steps == 20 + PROTOCOL.settle_steps


def test_observation_holds_exactly_the_declared_cameras_at_declared_size(spec_env):
    spec, env = spec_env
    policy = ScriptedPolicy(cameras=("wrist",), size=24)
    run_episode(env, policy, spec, PROTOCOL)
    obs = policy.calls[0]
    assert set(obs.images) == {"wrist"} and obs.images["wrist"].shape == (24, 24, 3)
    assert obs.privileged is None


def test_policy_without_cameras_causes_no_render(spec_env):
    spec, env = spec_env
    policy = ScriptedPolicy(cameras=())
    run_episode(env, policy, spec, PROTOCOL)
    assert len(policy.calls) == 5 and env.renders == 0
    assert all(not obs.images for obs in policy.calls)


def test_success_ends_episode_early():
    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1), run_seed=7)[0]
    env = bench.make_env(spec)
    env.reset(spec)
    direction = np.zeros((1, 7), np.float32)
    direction[0, :3] = np.clip(env.target / 0.1, -1, 1) * 0.5  # half-steps straight at the target

    class Homing(ScriptedPolicy):
        def act(self, obs):
            step = np.zeros((1, 7), np.float32)
            delta = env.target - env.pos
            step[0, :3] = np.clip(delta / 0.1, -1, 1)
            return step

    out = run_episode(env, Homing(), spec, PROTOCOL)
    assert out.success is True and out.error is None and out.steps < spec.max_steps


@pytest.mark.parametrize("chunk,kind", [
    (np.full((2, 7), np.nan, np.float32), "nan_action"),
    (np.zeros((2, 6), np.float32), "bad_action_shape"),
    (np.zeros((0, 7), np.float32), "bad_action_shape"),
])
def test_bad_actions_end_episode_with_error_not_failure(spec_env, chunk, kind):
    spec, env = spec_env
    out = run_episode(env, ScriptedPolicy(chunk=chunk), spec, PROTOCOL)
    assert out.success is None
    assert out.error.kind == kind and "scripted" in out.error.message


def test_policy_exception_is_recorded(spec_env):
    spec, env = spec_env
    out = run_episode(env, ScriptedPolicy(raise_exc=RuntimeError("boom")), spec, PROTOCOL)
    assert out.success is None and out.error.kind == "policy_error" and "boom" in out.error.message


def test_time_split_adds_up(spec_env):
    spec, env = spec_env
    out = run_episode(env, ScriptedPolicy(), spec, PROTOCOL)
    t = out.time
    assert t.wall_s > 0
    assert t.sim_s + t.render_s + t.policy_s + t.overhead_s == pytest.approx(t.wall_s, rel=1e-6, abs=1e-9)


def test_privileged_state_only_for_privileged_policies(spec_env):
    spec, env = spec_env
    policy = ScriptedPolicy(privileged=True)
    run_episode(env, policy, spec, PROTOCOL)
    assert set(policy.calls[0].privileged) == {"target", "pos"}


class _Log(EpisodeObserver):
    def __init__(self) -> None:
        self.events: list[str] = []

    def episode_start(self, env, spec):
        self.events.append(f"start:{env.steps}")

    def before_step(self, env, action):
        self.events.append(f"before:{env.steps}")

    def after_step(self, result):
        self.events.append("after")

    def episode_end(self, spec, outcome):
        self.events.append(f"end:{outcome.steps}")


def test_observers_see_every_policy_step_and_no_settle_step(spec_env):
    spec, env = spec_env
    log = _Log()
    out = run_episode(env, ScriptedPolicy(chunk=np.zeros((8, 7), np.float32)), spec, PROTOCOL, observers=(log,))
    settle = PROTOCOL.settle_steps
    steps = [f"before:{settle + i}" for i in range(out.steps)]
    assert log.events[0] == "start:0" and log.events[-1] == f"end:{out.steps}"
    assert [e for e in log.events if e.startswith("before")] == steps and log.events.count("after") == out.steps
    assert env.renders == 3  # observers add no policy render


def test_observers_hear_the_end_of_an_episode_that_errors(spec_env):
    spec, env = spec_env
    log = _Log()
    out = run_episode(env, ScriptedPolicy(raise_exc=RuntimeError("boom")), spec, PROTOCOL, observers=(log,))
    assert out.error.kind == "policy_error" and log.events == ["start:0", "end:0"]


def test_optional_hooks_are_named_protocols(spec_env):
    spec, env = spec_env
    assert isinstance(env, PrivilegedStateSource) and not isinstance(env, VideoFrameSource)
    assert not isinstance(ScriptedPolicy(), BatchPolicy)

    class Batched(ScriptedPolicy):
        def act_batch(self, observations):
            return [self.chunk for _ in observations]

    assert isinstance(Batched(), BatchPolicy)


def test_a_privileged_policy_on_an_env_without_the_hook_is_an_error(spec_env):
    spec, env = spec_env

    class Blind:
        def __getattr__(self, name):
            if name == "privileged_state":
                raise AttributeError(name)
            return getattr(env, name)

    out = run_episode(Blind(), ScriptedPolicy(privileged=True), spec, PROTOCOL)
    assert out.error.kind == "policy_error" and "privileged_state" in out.error.message
