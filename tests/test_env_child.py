"""An env in a child process of another Python environment (harness/env_proxy.py): the same episodes as in-process,
and a child that dies, hangs or cannot start is an env error with its last stderr lines (the fake benchmark's env in a
child of this very interpreter stands in for a simulator stack with conflicting pins)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy, kill_child_on_first_step
from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.cli.resolve import evaluate, resume
from vla_harness.harness.config import RunConfig
from vla_harness.harness.env_proxy import ChildEnv, ChildEnvError
from vla_harness.harness.env_stack import EnvStack, StackMissing
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.store import read_records

VENV = str(Path(sys.executable).parent.parent)  # this interpreter's environment, as the "other" one


def _spec(bench, task=0):
    return bench.episodes(BenchSelection(tasks=(task,), trials=1, max_steps=12), run_seed=3)[0]


def test_a_child_env_runs_the_same_episode_as_in_process():
    inproc, child = FakeBenchmark(), FakeBenchmark(child_env=VENV)
    spec = _spec(inproc)
    chunk = np.tile([0.3, -0.2, 0.1, 0, 0, 0, 1], (3, 1)).astype(np.float32)
    outs, calls = [], []
    for bench in (inproc, child):
        env, policy = bench.make_env(spec), ScriptedPolicy(chunk=chunk, cameras=("agentview", "wrist"), size=24)
        try:
            outs.append(run_episode(env, policy, spec, bench.protocol()))
        finally:
            env.close()
        calls.append(policy.calls)
    assert outs[1].error is None and (outs[1].success, outs[1].steps) == (outs[0].success, outs[0].steps)
    assert len(calls[0]) == len(calls[1]) == 4
    for a, b in zip(*calls):
        assert all(np.array_equal(a.images[c], b.images[c]) for c in ("agentview", "wrist"))
        assert np.array_equal(a.state["ee_pos"], b.state["ee_pos"]) and a.instruction == b.instruction
    assert outs[1].metrics["env_process"].startswith("fake_child pid ")
    # the child's time is in the split: its own seconds and the wire's, both within the env calls (sim + render)
    inproc_time, child_time = outs[0].time, outs[1].time
    assert inproc_time.env_child_s is None and inproc_time.env_wire_s is None
    assert 0 < child_time.env_wire_s < child_time.wall_s and 0 < child_time.env_child_s < child_time.wall_s
    assert child_time.env_child_s + child_time.env_wire_s <= child_time.sim_s + child_time.render_s + 1e-4


def test_privileged_state_and_video_frames_cross_the_wire():
    bench = FakeBenchmark(child_env=VENV)
    spec = _spec(bench)
    env = bench.make_env(spec)
    try:
        env.reset(spec)
        state = env.privileged_state()
        assert set(state) == {"target", "pos"} and state["target"].shape == (3,)
        assert env.video_frame("wrist", 8).shape == (8, 8, 3)
    finally:
        env.close()
    assert env.proc is None


def test_a_child_killed_mid_episode_is_an_env_error_with_its_stderr(monkeypatch):
    bench = FakeBenchmark(child_env=VENV)
    spec = _spec(bench)
    env = bench.make_env(spec)
    pid = env.proc.pid
    policy = ScriptedPolicy(chunk=np.zeros((2, 7), np.float32))
    policy.act = lambda obs: (os.kill(pid, signal.SIGKILL), np.zeros((2, 7), np.float32))[1]
    out = run_episode(env, policy, spec, bench.protocol())
    assert out.error.kind == "env_error" and out.success is None
    assert f"fake_child env child (pid {pid})" in out.error.message and "killed by signal 9" in out.error.message
    env.close()


def test_a_hung_child_is_killed_after_its_timeout_and_named():
    bench = FakeBenchmark(child_env=VENV, hang_tasks=(1,), hang_s=30, child_timeout_s=1.5)
    spec = _spec(bench, task=1)
    env = bench.make_env(spec)
    out = run_episode(env, ScriptedPolicy(), spec, bench.protocol())
    assert out.error.kind == "env_error" and "did not answer 'step' within 2 s" in out.error.message
    assert out.time.wall_s < 10


def test_a_child_that_cannot_build_its_env_reports_why():
    stack = EnvStack("fake_child", Path(VENV))
    with pytest.raises(ChildEnvError, match="cannot import 'vla_harness.benchmarks.fake.bench:Nope'") as err:
        ChildEnv(stack, "vla_harness.benchmarks.fake.bench:Nope")
    assert err.value.kind == "env_error"
    with pytest.raises(StackMissing, match=r"not set up .*`vla-harness env setup nowhere`"):
        ChildEnv(EnvStack("nowhere", Path("/nonexistent/venv")), "vla_harness.benchmarks.fake.bench:FakeEnv", task_id=0)


def test_a_run_whose_child_is_killed_records_env_errors_and_resume_finishes(tmp_path, monkeypatch):
    kill_child_on_first_step(monkeypatch)
    cfg = RunConfig(bench="fake", policy="zero", tasks=[0], trials=2, max_steps=5, out=str(tmp_path), name="r",
                    max_attempts=1, bench_options={"child_env": VENV})
    first = evaluate(cfg, progress=False)
    errors = [r for r in first.records if r.error]
    assert len(errors) == 1 and errors[0].error.kind == "env_error" and "killed by signal 9" in errors[0].error.message
    again = resume(tmp_path / "r", progress=False)
    assert again.executed == 1
    latest = {r.key: r for r in read_records(tmp_path / "r")}
    assert len(latest) == 2 and all(r.error is None and r.steps == 5 for r in latest.values())
    assert all(r.time.env_child_s > 0 and r.time.env_wire_s > 0 for r in latest.values())  # stored and read back
