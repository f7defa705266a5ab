"""Closed-loop vision probes: the same policy, with the camera input it sees replaced, on the same episodes.

A policy that needs its camera to succeed loses its successes when the images stop matching the scene; a blind one
(reading only state or the instruction) does not notice. Two probes, selected per run (`eval --vision-probe`) and
hashed into the run, so a probed run is never pooled with a normal one:

- `first_frame`: every observation carries the images of the episode's first observation (after the settle steps).
- `other_episode`: observation i carries the images the policy saw at its i-th observation of ANOTHER episode of the
  same task (the next trial, cyclically; the last one once that episode has ended). That donor episode is rolled out
  first, by the same policy, with its own images, in the same worker: it is the episode the normal run holds under
  that key when the policy is deterministic. Its outcome goes into the record's metrics (`vision_probe`).

Only the images change: state, instruction, privileged state and the env's physics are the episode's own.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np

from vla_harness.harness.config import VISION_PROBES, ConfigError
from vla_harness.harness.episode import EpisodeObserver, EpisodeOutcome, run_episode
from vla_harness.harness.protocols import BenchProtocol, Env, Policy
from vla_harness.harness.types import EpisodeSpec, ErrorInfo, Observation, PolicySpec, TaskInfo

NONE, FIRST_FRAME, OTHER_EPISODE = VISION_PROBES


class _Wrapped:
    """A policy with everything but `act`'s images passed through."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def spec(self) -> PolicySpec:
        return self.policy.spec()

    def reset(self, task: TaskInfo) -> None:
        self.policy.reset(task)

    def close(self) -> None:
        pass  # the worker closes the policy it holds


def _copy_images(obs: Observation) -> dict[str, np.ndarray]:
    return {cam: np.array(img, copy=True) for cam, img in obs.images.items()}


class FirstFrame(_Wrapped):
    """Every observation of an episode gets the images of its first observation."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(policy)
        self.first: dict[str, np.ndarray] | None = None

    def reset(self, task: TaskInfo) -> None:
        self.first = None
        super().reset(task)

    def act(self, obs: Observation) -> np.ndarray:
        if self.first is None:
            self.first = _copy_images(obs)
        return self.policy.act(dataclasses.replace(obs, images=dict(self.first)))


class CaptureFrames(_Wrapped):
    """The policy as it is, keeping a copy of the images of every observation (the donor episode)."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(policy)
        self.frames: list[dict[str, np.ndarray]] = []

    def act(self, obs: Observation) -> np.ndarray:
        self.frames.append(_copy_images(obs))
        return self.policy.act(obs)


class ReplayFrames(_Wrapped):
    """Observation i gets the donor's i-th images (its last ones after the donor episode ended)."""

    def __init__(self, policy: Policy, frames: Sequence[dict[str, np.ndarray]]) -> None:
        super().__init__(policy)
        if not frames:
            raise ValueError("ReplayFrames needs at least one donor observation")
        self.frames, self.calls = list(frames), 0

    def reset(self, task: TaskInfo) -> None:
        self.calls = 0
        super().reset(task)

    def act(self, obs: Observation) -> np.ndarray:
        images = self.frames[min(self.calls, len(self.frames) - 1)]
        self.calls += 1
        return self.policy.act(dataclasses.replace(obs, images=dict(images)))


def donors(specs: Sequence[EpisodeSpec]) -> dict[str, EpisodeSpec]:
    """Episode key -> the episode whose images it gets under `other_episode`: the next trial of the same task (and
    suite and perturbation), cyclically. Every task needs two trials or more."""
    groups: dict[tuple, list[EpisodeSpec]] = {}
    for s in specs:
        groups.setdefault((s.bench, s.suite, s.task_id, s.perturbation_id), []).append(s)
    out = {}
    for key, group in groups.items():
        if len(group) < 2:
            raise ConfigError(f"--vision-probe {OTHER_EPISODE} needs at least 2 trials of every task; task "
                              f"{key[2]} of {key[1]} has 1 in this selection (raise --trials)")
        group = sorted(group, key=lambda s: s.trial)
        out.update({s.key: group[(i + 1) % len(group)] for i, s in enumerate(group)})
    return out


def run_probed(probe: str, env_for: Callable[[EpisodeSpec], Env], policy: Policy, spec: EpisodeSpec,
               donor: EpisodeSpec | None, protocol: BenchProtocol,
               observers: Sequence[EpisodeObserver] = ()) -> EpisodeOutcome:
    """One episode under `probe`; `env_for` gives the (warm) env of a spec, as the worker holds them."""
    if probe == FIRST_FRAME:
        outcome = run_episode(env_for(spec), FirstFrame(policy), spec, protocol, observers)
        outcome.metrics["vision_probe"] = {"probe": probe}
        return outcome
    if probe != OTHER_EPISODE or donor is None:
        raise ValueError(f"run_probed: probe '{probe}' with donor {donor}")
    capture = CaptureFrames(policy)
    first = run_episode(env_for(donor), capture, donor, protocol)
    info = {"probe": probe, "donor": donor.key, "donor_success": first.success, "donor_steps": first.steps,
            "donor_observations": len(capture.frames)}
    if first.error is not None or not capture.frames:  # no donor images: the donor's error is this episode's
        err = first.error or ErrorInfo("env_error", "the donor episode made no observation")
        return EpisodeOutcome(None, 0, ErrorInfo(err.kind, f"donor {donor.key}: {err.message}"[:2000]), first.time,
                              {"vision_probe": info})
    outcome = run_episode(env_for(spec), ReplayFrames(policy, capture.frames), spec, protocol, observers)
    outcome.metrics["vision_probe"] = info
    return outcome

