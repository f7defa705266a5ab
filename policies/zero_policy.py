"""Zero deltas with the gripper open: the do-nothing baseline (deterministic, chunked)."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from vla_harness.harness.options import AtLeast
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.base import PIXEL_FREE, PolicyBase


class ZeroPolicy(PolicyBase):
    def __init__(self, chunk: Annotated[int, AtLeast(1)] = 8, cameras: tuple[str, ...] | list[str] = ("agentview",),
                 image_size: int = 224) -> None:
        self.chunk = int(chunk)
        self.cameras, self.image_size = tuple(cameras), int(image_size)

    def spec(self) -> PolicySpec:
        # Declares a camera like a real VLA would, so benchmarks measure a realistic render cost.
        return PolicySpec(name="zero", version="1", cameras=self.cameras, image_size=self.image_size,
                          replan_steps=self.chunk, conventions=PIXEL_FREE)

    def act(self, obs: Observation) -> np.ndarray:
        chunk = np.zeros((self.chunk, 7), dtype=np.float32)
        chunk[:, 6] = -1.0
        return chunk

