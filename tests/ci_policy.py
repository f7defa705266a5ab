"""A policy with a checkpoint, for running the CI recipe (docs/ci/vla-regression.yml) on the fake benchmark.

Its checkpoint is a JSON file {"skill": 0.9}: in that share of episodes (drawn from the episode's seed, so a weaker
checkpoint fails a subset of a stronger one's episodes) it reaches the target from privileged state; otherwise it
holds still."""

from __future__ import annotations

import json

import numpy as np

from vla_harness.harness.types import Observation, PolicySpec, TaskInfo


class SkillPolicy:
    def __init__(self, checkpoint: str) -> None:
        self.skill = float(json.loads(open(checkpoint).read())["skill"])
        self.go = False

    def spec(self) -> PolicySpec:
        return PolicySpec(name="skill", version="1", cameras=(), image_size=0, chunk_len=1, privileged=True)

    def reset(self, task: TaskInfo) -> None:
        self.go = bool(np.random.default_rng(task.seed).random() < self.skill)

    def act(self, obs: Observation) -> np.ndarray:
        action = np.zeros((1, 7), np.float32)
        action[0, 6] = -1.0
        if self.go:
            state = obs.privileged
            action[0, :3] = np.clip((state["target"] - state["pos"]) / 0.1, -1, 1)
        return action

    def close(self) -> None:
        pass
