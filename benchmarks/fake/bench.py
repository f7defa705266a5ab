"""A pure-numpy benchmark with the real interfaces: reach a target point in 3-D. For fast tests.

Options let tests inject trouble: `step_delay_s` (slow physics), `broken_tasks` (env creation fails),
`hang_tasks` (a step sleeps for `hang_s`: for timeouts); `target_speed` makes the target drift in x, y by that much per
step along a per-episode direction, bouncing off the +-0.5 box (a scene that changes: only live images show where
it is, tests/test_vision_probe.py); `child_env` (a virtual environment: the env runs in a child process of its
interpreter, harness/env_proxy.py, as a simulator stack with conflicting pins does).
"""

from __future__ import annotations

import time

import numpy as np

from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import (
    LIBERO_GRIPPER,
    ROTATED_180,
    UPRIGHT,
    ActionSpace,
    BenchConventions,
    CameraRole,
    StateEntry,
)
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import with_seed
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

# The wrist camera renders rotated 180 degrees (like LIBERO's), the scene camera upright: conversions get exercised.
CONVENTIONS = BenchConventions(
    cameras=(CameraRole("primary", "agentview", UPRIGHT),
             CameraRole("wrist", "wrist", ROTATED_180, aliases=("robot0_eye_in_hand", "eye_in_hand"))),
    state=(StateEntry("ee_pos", ("eef_pos",)),),
    action=ActionSpace("fake_reach", ("dx", "dy", "dz", "unused", "unused", "unused", "gripper"),
                       "the point moves by 0.1 x clip(a, -1, 1) per step; gripper ignored", LIBERO_GRIPPER, 10.0))
PROTOCOL = BenchProtocol(name="fake", settle_steps=2, settle_action=(0.0,) * 6 + (-1.0,), action_dim=7,
                         control_hz=10.0, max_steps=40, trials_per_task=10, cameras=("agentview", "wrist"),
                         source="vla-harness test fixture", conventions=CONVENTIONS,
                         action_bounds=((-1.0, 1.0),) * 3 + ((None, None),) * 4)  # FakeEnv.step clips dx, dy, dz
TASKS = [f"reach target {i}" for i in range(10)]


class FakeEnv:
    def __init__(self, task_id: int, step_delay_s: float = 0.0, hang_s: float = 0.0, target_speed: float = 0.0) -> None:
        self.task_id, self.step_delay_s, self.hang_s, self.target_speed = task_id, step_delay_s, hang_s, target_speed
        self.pos = np.zeros(3)
        self.target = np.zeros(3)
        self.velocity = np.zeros(3)
        self.instruction = ""
        self.renders = 0  # camera images rendered (tests check render-on-demand)
        self.steps = 0

    def reset(self, spec: EpisodeSpec) -> None:
        rng = np.random.default_rng(spec.seed)
        self.target = rng.uniform(-0.5, 0.5, size=3)
        angle = rng.uniform(0, 2 * np.pi)
        self.velocity = self.target_speed * np.array([np.cos(angle), np.sin(angle), 0.0])
        self.pos = np.zeros(3)
        self.instruction = spec.instruction
        self.steps = 0

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        self.renders += len(cameras)
        images = {cam: self._render(size, flip=(cam == "wrist")) for cam in cameras}
        state = {"ee_pos": self.pos.astype(np.float32).copy()}
        return Observation(images=images, state=state, instruction=self.instruction, step=self.steps)

    def privileged_state(self) -> dict:
        return {"target": self.target.copy(), "pos": self.pos.copy()}

    def _render(self, size: int, flip: bool) -> np.ndarray:
        img = np.full((size, size, 3), 40, dtype=np.uint8)
        for point, color in ((self.target, (220, 40, 40)), (self.pos, (40, 220, 40))):
            u, v = ((np.clip(point[:2], -1, 1) + 1) / 2 * (size - 1)).astype(int)
            img[max(0, v - 1):v + 2, max(0, u - 1):u + 2] = color
        return img[::-1, ::-1].copy() if flip else img

    def step(self, action: np.ndarray) -> StepResult:
        if self.step_delay_s:
            time.sleep(self.step_delay_s)
        if self.hang_s:
            time.sleep(self.hang_s)
        self.steps += 1
        self.target = self.target + self.velocity
        self.velocity = np.where(np.abs(self.target) > 0.5, -self.velocity, self.velocity)  # bounce
        self.pos = np.clip(self.pos + 0.1 * np.clip(action[:3], -1, 1), -1, 1)
        distance = float(np.linalg.norm(self.pos - self.target))
        return StepResult(success=distance < 0.15, reward=-distance)

    def close(self) -> None:
        pass


class FakeBenchmark:
    name = "fake"

    def __init__(self, step_delay_s: float = 0.0, broken_tasks: tuple[int, ...] = (), hang_tasks: tuple[int, ...] = (),
                 hang_s: float = 30.0, target_speed: float = 0.0, child_env: str | None = None,
                 child_timeout_s: float = 60.0) -> None:
        self.step_delay_s, self.hang_s, self.target_speed = float(step_delay_s), float(hang_s), float(target_speed)
        self.child_env, self.child_timeout_s = child_env, float(child_timeout_s)
        self.broken_tasks, self.hang_tasks = set(broken_tasks), set(hang_tasks)

    def protocol(self) -> BenchProtocol:
        return PROTOCOL

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        tasks = selection.tasks if selection.tasks is not None else range(len(TASKS))
        bad = [t for t in tasks if not 0 <= int(t) < len(TASKS)]
        if bad:
            raise ConfigError(f"fake has tasks 0-{len(TASKS) - 1}; got {bad}")
        trials = selection.trials or 3
        max_steps = selection.max_steps or PROTOCOL.max_steps
        specs = []
        for task_id in tasks:
            for trial in range(trials):
                spec = EpisodeSpec(bench="fake", suite="reach", task_id=int(task_id), task_name=f"task{task_id}",
                                   instruction=TASKS[int(task_id)], trial=trial, seed=0, max_steps=max_steps,
                                   init_state_index=trial)
                specs.append(with_seed(spec, run_seed))
        return specs

    def env_key(self, spec: EpisodeSpec) -> str:
        return f"{spec.suite}/{spec.task_id}"

    def make_env(self, spec: EpisodeSpec) -> FakeEnv:
        if spec.task_id in self.broken_tasks:
            raise RuntimeError(f"fake env for task {spec.task_id} is configured to fail")
        hang = self.hang_s if spec.task_id in self.hang_tasks else 0.0
        if self.child_env:
            from pathlib import Path

            from vla_harness.harness.env_proxy import ChildEnv
            from vla_harness.harness.env_stack import EnvStack

            stack = EnvStack("fake_child", Path(self.child_env), op_timeout_s=self.child_timeout_s)
            return ChildEnv(stack, "vla_harness.benchmarks.fake.bench:FakeEnv", task_id=spec.task_id,
                            step_delay_s=self.step_delay_s, hang_s=hang, target_speed=self.target_speed)
        return FakeEnv(spec.task_id, self.step_delay_s, hang, self.target_speed)
