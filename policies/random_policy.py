"""Uniform random actions in [-scale, scale] for the 6 arm dims, gripper -1/+1; seeded per episode."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from vla_harness.harness.options import AtLeast
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.base import PIXEL_FREE, PolicyBase


class RandomPolicy(PolicyBase):
    def __init__(self, chunk: Annotated[int, AtLeast(1)] = 1, scale: float = 1.0, seed: int = 0) -> None:
        self.chunk, self.scale, self.seed = int(chunk), float(scale), int(seed)
        self.rng = np.random.default_rng(seed)

    def spec(self) -> PolicySpec:
        # Asks for no camera: the loop then renders nothing for it.
        return PolicySpec(name="random", version="1", cameras=(), image_size=0, replan_steps=self.chunk,
                          conventions=PIXEL_FREE)

    def reset(self, task: TaskInfo) -> None:
        super().reset(task)
        # A fresh stream per episode: the same episode gives the same actions on any worker, in any order.
        self.rng = np.random.default_rng([self.seed, task.seed])

    def act(self, obs: Observation) -> np.ndarray:
        arm = self.rng.uniform(-self.scale, self.scale, size=(self.chunk, 6))
        gripper = self.rng.choice([-1.0, 1.0], size=(self.chunk, 1))
        return np.concatenate([arm, gripper], axis=1).astype(np.float32)
