"""A LIBERO env that applies one perturbation after every reset and on every observed image.

LIBERO's ControlEnv hard-resets: each reset rebuilds the MuJoCo model and its render context from XML, which drops
any earlier change. So the model-level part is re-applied after each reset (after the init state is set), and
level 0 (or no perturbation) calls nothing at all: observations stay bit-identical to the plain LiberoEnv.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vla_harness.benchmarks.libero.env import LiberoEnv
from vla_harness.benchmarks.perturb import BASELINE, dimension
from vla_harness.benchmarks.perturb.base import Dimension
from vla_harness.benchmarks.perturb.scene import inner
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

VIDEO_FRAME_OFFSET = 1_000_000  # video frames draw their own noise, never the policy's


class PerturbedLiberoEnv(LiberoEnv):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(inner(self), "hard_reset", False):
            raise RuntimeError("PerturbedLiberoEnv needs LIBERO's hard reset (a fresh model per reset); "
                               "without it model changes would accumulate across episodes")
        self._dim: Dimension | None = None
        self._params: dict[str, Any] = {}
        self._frames = self._video_frames = 0
        self.realised: dict[str, Any] = {}

    def reset(self, spec: EpisodeSpec) -> None:
        self._dim, self._params, self._frames, self._video_frames, self.realised = None, {}, 0, 0, {}
        p = spec.perturbation
        active = bool(p and p.dimension != BASELINE and p.level)
        dim = dimension(p.dimension) if active else None
        inner(self).set_xml_processor(dim.xml_processor(p.params) if dim else None)
        super().reset(spec)
        if dim is None:
            return
        self._dim, self._params = dim, p.params
        self.realised = self._dim.apply_model(self, self._params)
        if type(self._dim).apply_model is not Dimension.apply_model:
            # lights and cameras are computed in forward; joint/object moves also refresh the observation dict
            self._last_obs = self.env.regenerate_obs_from_state(self.env.get_sim_state())

    def step(self, action: np.ndarray) -> StepResult:
        result = super().step(action)
        if self.realised:  # into the record's metrics: what the perturbation actually did (settle steps drop info)
            result = StepResult(result.success, result.reward, {**result.info, "perturbation_realised": self.realised})
        return result

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        obs = super().observe(cameras, size, state_keys)
        if self._dim is not None:
            obs.images = {cam: self._dim.image(img, cam, self._params, self._frames) for cam, img in obs.images.items()}
            self._frames += 1
        return obs

    def video_frame(self, camera: str, size: int) -> np.ndarray:
        img = super().video_frame(camera, size)
        if self._dim is None:
            return img
        self._video_frames += 1
        return self._dim.image(img, camera, self._params, VIDEO_FRAME_OFFSET + self._video_frames)
