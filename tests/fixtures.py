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
                          chunk_len=len(np.atleast_2d(self.chunk)), privileged=self.privileged)

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
