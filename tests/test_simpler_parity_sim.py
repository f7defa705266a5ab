"""Parity with SimplerEnv's own evaluation loop: simpler-env/SimplerEnv@4ab7178e simpler_env/main_inference.py's
`maniskill2_evaluator(model, get_args())` (simpler_env/evaluation/maniskill2_evaluator.py, argparse.py) run from the
fetched tree in the simpler_official environment with a scripted policy (tests/official_loop.py), against the harness
through its env child: the same env id, configuration and seed give byte-identical frames and tool poses at every step
(the first one included) and the same executed actions and final info, although the harness reuses its env after
another configuration where the loop builds a fresh one. The Vulkan layer strips the semaphore extension on this CPU
and none of the stripped entry points is ever called (each would print a line)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from vla_harness.benchmarks.simpler.bench import simpler_bridge
from vla_harness.benchmarks.simpler.official.bench import SimplerGoogleBenchmark
from vla_harness.benchmarks.simpler.official.stack import stack
from vla_harness.benchmarks.simpler.official.standin import write_stage
from vla_harness.benchmarks.simpler.official.vulkan import needs_layer
from vla_harness.harness.conventions import BRIDGE_GRIPPER, UPRIGHT, Gripper, PolicyConventions, StateVector
from vla_harness.harness.convert import conform
from vla_harness.harness.episode import EpisodeObserver, run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.types import PolicySpec

pytestmark = pytest.mark.sim
LOOP = Path(__file__).with_name("official_loop.py")
STRIP_CALLED = "an entry point of a stripped extension was called"
# float32-exact values: the harness sends float32 actions, the loop float64; these are equal in both
GOOGLE_ACTIONS = [[0.015625, 0, 0, 0, 0, 0, 0], [0, 0.015625, -0.03125, 0, 0, 0.0625, 1.0],
                  [0, 0, 0, 0.0625, 0, 0, 0], [0, 0, 0.015625, 0, 0, 0, -1.0]]
BRIDGE_ACTIONS = [[0.015625, 0, -0.015625, 0, 0, 0, 1.0], [0, 0.015625, -0.03125, 0, 0.0625, 0, -1.0],
                  [0, 0, 0.015625, 0.0625, 0, 0, -1.0]]
COMMON = ["--policy-model", "rt1", "--ckpt-path", "none", "--robot-init-rot-quat-center", "0", "0", "0", "1",
          "--robot-init-rot-rpy-range", "0", "0", "1", "0", "0", "1", "0", "0", "1"]


class Sequence:
    """The scripted actions one per step, seeing the robot camera at its own size and the tool pose."""

    def __init__(self, actions, gripper: Gripper) -> None:
        self.actions, self.images, self.poses, self.i = np.float32(actions), [], [], 0
        self.conventions = PolicyConventions(orientation=UPRIGHT, gripper=gripper,
                                             state=(StateVector("tcp", ("eef_pos", "eef_quat_wxyz")),))

    def spec(self) -> PolicySpec:
        return PolicySpec(name="sequence", cameras=("primary",), image_size=0, replan_steps=1,
                          conventions=self.conventions)

    def reset(self, task) -> None:
        self.i, self.images, self.poses = 0, [], []

    def act(self, obs):
        self.images.append(obs.images["primary"])
        self.poses.append(obs.state["tcp"])
        self.i += 1
        return self.actions[self.i - 1: self.i]

    def close(self) -> None:
        pass


class Executed(EpisodeObserver):
    def __init__(self) -> None:
        self.actions = []

    def before_step(self, env, action) -> None:
        self.actions.append(np.asarray(action, np.float64))


def _official(tmp_path: Path, cache: Path, actions, argv: list[str]) -> tuple[dict, str]:
    (tmp_path / "actions.json").write_text(json.dumps(actions))
    st = stack()
    env = {**os.environ, **st.env_vars, "SIMPLER_ENV_TREE": str(cache / "src" / "SimplerEnv"),
           "VLA_VK_LAYER_VERBOSE": "1", "PYTHONPATH": str(Path(__file__).parents[1])}
    done = subprocess.run([str(st.python), str(LOOP), str(tmp_path / "loop.npz"), str(tmp_path / "actions.json"),
                           *COMMON, *argv, "--logging-dir", str(tmp_path / "results")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    loop = np.load(tmp_path / "loop.npz")
    return {k: loop[k] for k in loop.files}, done.stderr


def _harness(bench, specs, policy, monkeypatch) -> tuple[Executed, object, str]:
    """The last spec's episode, in an env that first ran the other specs' configurations."""
    monkeypatch.setenv("VLA_VK_LAYER_VERBOSE", "1")
    env = bench.make_env(specs[-1])
    runner, executed = conform(policy, bench.protocol()), Executed()
    try:
        for spec in specs[:-1]:
            assert run_episode(env, runner, spec, bench.protocol()).error is None
        outcome = run_episode(env, runner, specs[-1], bench.protocol(), observers=[executed])
        env._log.seek(0)
        stderr = env._log.read().decode(errors="replace")
    finally:
        env.close()
    assert outcome.error is None, outcome.error
    return executed, outcome, stderr


def _same(loop: dict, policy: Sequence, executed: Executed, outcome, stderrs: list[str]) -> None:
    n = len(policy.actions)
    assert np.array_equal(loop["model_images"], np.stack(policy.images))  # frame 0 = the initial observation
    assert np.array_equal(loop["tcp"][:n], np.stack(policy.poses).astype(np.float32))
    assert np.array_equal(loop["actions"], np.stack(executed.actions))
    info = json.loads(str(loop["info"]))
    assert {k: outcome.metrics[k] for k in info} == info and bool(loop["success"][0]) == outcome.success
    for stderr in stderrs:
        assert STRIP_CALLED not in stderr
        assert ("not enabling VK_KHR_external_semaphore_fd" in stderr) == needs_layer()


def test_google_robot_coke_can_matches_simplers_own_loop(official_stack, tmp_path, monkeypatch):
    bench = SimplerGoogleBenchmark()
    specs = bench.episodes(BenchSelection(suites=("variant_aggregation",), tasks=(0,), trials=2,
                                          max_steps=len(GOOGLE_ACTIONS)), run_seed=0)[::-1]  # config 1, then 0
    standin = write_stage(official_stack / "standin", "google_pick_coke_can_1_v4")  # as the harness's child does
    loop, loop_err = _official(tmp_path, official_stack, GOOGLE_ACTIONS, [
        "--robot", "google_robot_static", "--control-freq", "3", "--sim-freq", "513", "--max-episode-steps",
        str(len(GOOGLE_ACTIONS)), "--env-name", "GraspSingleOpenedCokeCanInScene-v0", "--scene-name",
        "google_pick_coke_can_1_v4", "--robot-init-x", "0.35", "0.35", "1", "--robot-init-y", "0.20", "0.20", "1",
        "--obj-init-x", "-0.35", "-0.35", "1", "--obj-init-y", "-0.02", "-0.02", "1",
        "--additional-env-build-kwargs", "lr_switch=True", f"scene_root={standin}"])
    policy = Sequence(GOOGLE_ACTIONS, Gripper(6, open=-1.0, closed=1.0, relative=True))  # RT-1's convention
    executed, outcome, child_err = _harness(bench, specs, policy, monkeypatch)
    _same(loop, policy, executed, outcome, [loop_err, child_err])


def test_bridge_carrot_matches_simplers_own_loop(official_stack, tmp_path, monkeypatch):
    bench = simpler_bridge(stack="official")
    specs = bench.episodes(BenchSelection(tasks=(0,), trials=6, max_steps=len(BRIDGE_ACTIONS)), run_seed=0)
    standin = write_stage(official_stack / "standin", "bridge_table_1_v1")
    overlay = official_stack / "src/ManiSkill2_real2sim/data/real_inpainting/bridge_real_eval_1.png"
    loop, loop_err = _official(tmp_path, official_stack, BRIDGE_ACTIONS, [
        "--robot", "widowx", "--policy-setup", "widowx_bridge", "--control-freq", "5", "--sim-freq", "500",
        "--max-episode-steps", str(len(BRIDGE_ACTIONS)), "--env-name", "PutCarrotOnPlateInScene-v0",
        "--scene-name", "bridge_table_1_v1", "--rgb-overlay-path", str(overlay), "--robot-init-x", "0.147",
        "0.147", "1", "--robot-init-y", "0.028", "0.028", "1", "--obj-variation-mode", "episode",
        "--obj-episode-range", "5", "6", "--additional-env-build-kwargs", f"scene_root={standin}"])
    policy = Sequence(BRIDGE_ACTIONS, BRIDGE_GRIPPER)
    executed, outcome, child_err = _harness(bench, [specs[4], specs[5]], policy, monkeypatch)  # episode 4, then 5
    _same(loop, policy, executed, outcome, [loop_err, child_err])
