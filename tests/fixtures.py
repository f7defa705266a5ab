"""Small policies and helpers shared by the core tests."""

from __future__ import annotations

import numpy as np

from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo


class ScriptedPolicy:
    """Returns a fixed chunk (or raises) and counts calls; for loop tests."""

    def __init__(self, chunk: np.ndarray | None = None, raise_exc: Exception | None = None,
                 cameras: tuple[str, ...] = ("agentview",), size: int = 16, privileged: bool = False) -> None:
        self.chunk = chunk if chunk is not None else np.zeros((4, 7), np.float32)
        self.raise_exc, self.cameras, self.size, self.privileged = raise_exc, cameras, size, privileged
        self.calls: list[Observation] = []
        self.resets: list[TaskInfo] = []

    def spec(self) -> PolicySpec:
        return PolicySpec(name="scripted", cameras=self.cameras, image_size=self.size,
                          replan_steps=len(np.atleast_2d(self.chunk)), privileged=self.privileged)

    def reset(self, task: TaskInfo) -> None:
        self.resets.append(task)

    def act(self, obs: Observation) -> np.ndarray:
        self.calls.append(obs)
        if self.raise_exc:
            raise self.raise_exc
        return self.chunk

    def close(self) -> None:
        pass


class CountingBenchmark(FakeBenchmark):
    """The fake benchmark, counting how often a run expands it into episodes (the plan should, once)."""

    expansions = 0

    def episodes(self, selection, run_seed):
        CountingBenchmark.expansions += 1
        return super().episodes(selection, run_seed)


def kill_child_on_first_step(monkeypatch) -> list[int]:
    """Make the first ChildEnv.step of the test SIGKILL its child process first (a simulator that crashed hard);
    returns the list that receives the killed pid."""
    import os
    import signal

    import vla_harness.harness.env_proxy as proxy

    real_step, killed = proxy.ChildEnv.step, []

    def step_then_die(self, action):
        if not killed:
            killed.append(self.proc.pid)
            os.kill(self.proc.pid, signal.SIGKILL)
        return real_step(self, action)

    monkeypatch.setattr(proxy.ChildEnv, "step", step_then_die)
    return killed
class InterruptingPolicy(ScriptedPolicy):
    """Stands for a user pressing Ctrl-C during the second episode (`--policy tests.fixtures:InterruptingPolicy`)."""

    acted = 0

    def act(self, obs: Observation) -> np.ndarray:
        InterruptingPolicy.acted += 1
        if InterruptingPolicy.acted > 12:  # a fake episode of 40 steps asks 10 times
            raise KeyboardInterrupt
        return super().act(obs)
