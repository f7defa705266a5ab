"""The one episode loop: settle, then ask for a chunk, execute it, render only before the next ask."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from vla_harness.harness.errors import BadActionShape, NanAction, PolicyFault, kind_of
from vla_harness.harness.protocols import (
    BenchProtocol,
    ChildProcessEnv,
    Env,
    Policy,
    PrivilegedStateSource,
    VideoFrameSource,
)
from vla_harness.harness.types import EpisodeSpec, ErrorInfo, PolicySpec, StepResult, TimeSplit


@dataclass
class EpisodeOutcome:
    success: bool | None
    steps: int
    error: ErrorInfo | None
    time: TimeSplit
    metrics: dict = field(default_factory=dict)
    out_of_range: int | None = None  # executed actions outside the protocol's action_bounds (None: none declared)


class EpisodeObserver:
    """Watches one episode (videos, dataset recording); every moment is optional, the loop stays the same.

    `episode_start` comes before the env's reset and `episode_end` after the outcome is known, error or not.
    `before_step` sees the env in the state the action is taken in (frames paired with that action), `after_step`
    its result. Settle steps are not shown: they belong to the protocol, not to the episode's policy steps."""

    def episode_start(self, env: Env, spec: EpisodeSpec) -> None:
        pass

    def before_step(self, env: Env, action: np.ndarray) -> None:
        pass

    def after_step(self, result: StepResult) -> None:
        pass

    def episode_end(self, spec: EpisodeSpec, outcome: EpisodeOutcome) -> None:
        pass


@dataclass
class _Progress:
    steps: int = 0
    success: bool = False
    metrics: dict = field(default_factory=dict)
    out_of_range: int = 0


class _Part:
    """`with` block that adds its seconds to one part of a clock (a plain object: cheap enough for every step)."""

    __slots__ = ("spent", "name", "t0")

    def __init__(self, spent: dict[str, float], name: str) -> None:
        self.spent, self.name, self.t0 = spent, name, 0.0

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.spent[self.name] += time.perf_counter() - self.t0


class _Clock:
    """Seconds spent per part of the loop; `with clock.timing("sim"): ...` adds to one (parts do not nest in
    themselves)."""

    def __init__(self) -> None:
        self.spent = {"sim": 0.0, "render": 0.0, "policy": 0.0}
        self._parts = {name: _Part(self.spent, name) for name in self.spent}

    def timing(self, part: str) -> _Part:
        return self._parts[part]

    def split(self, wall: float) -> TimeSplit:
        sim, render, policy = self.spent["sim"], self.spent["render"], self.spent["policy"]
        return TimeSplit(wall, sim, render, policy, max(0.0, wall - sim - render - policy))


def check_chunk(chunk: object, pspec: PolicySpec) -> np.ndarray:
    """Validate a policy's output: (k, action_dim) finite floats; a 1-D action counts as k=1."""
    arr = np.asarray(chunk, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != pspec.action_dim or arr.shape[0] < 1:
        raise BadActionShape(f"policy '{pspec.name}' returned shape {np.shape(chunk)}, "
                             f"expected (k, {pspec.action_dim}) with k >= 1")
    if not np.all(np.isfinite(arr)):
        raise NanAction(f"policy '{pspec.name}' returned non-finite actions (NaN or inf)")
    return arr


def run_episode(env: Env, policy: Policy, spec: EpisodeSpec, protocol: BenchProtocol,
                observers: Sequence[EpisodeObserver] = ()) -> EpisodeOutcome:
    """Run one episode; policy and env exceptions end it with an error whose kind carries the blame (harness.errors):
    the policy's own faults count as failures downstream, env and infrastructure errors do not. A StopRun from
    `policy.spec()` ends the run instead: the episode has not started."""
    pspec = policy.spec()
    clock, t_start = _Clock(), time.perf_counter()
    progress = _Progress()
    error = None
    try:
        for observer in observers:
            observer.episode_start(env, spec)
        _play(env, policy, pspec, spec, protocol, observers, clock, progress)
    except _Raised as exc:  # the loop's own checks and policy calls: the message already says who and what
        error = ErrorInfo(exc.kind, str(exc)[:2000])
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - any other adapter failure is the env's, unless it says otherwise
        error = ErrorInfo(kind_of(exc, "env_error"), f"{type(exc).__name__}: {exc}"[:2000])
    split = clock.split(time.perf_counter() - t_start)
    if isinstance(env, ChildProcessEnv):
        child_s, wire_s = env.process_times()
        split = dataclasses.replace(split, env_child_s=round(child_s, 6), env_wire_s=round(wire_s, 6))
    outcome = EpisodeOutcome(None if error else progress.success, progress.steps, error, split, progress.metrics,
                             progress.out_of_range if protocol.action_bounds else None)
    for observer in observers:
        observer.episode_end(spec, outcome)
    return outcome


def _play(env: Env, policy: Policy, pspec: PolicySpec, spec: EpisodeSpec, protocol: BenchProtocol,
          observers: Sequence[EpisodeObserver], clock: _Clock, progress: _Progress) -> None:
    with clock.timing("sim"):
        env.reset(spec)
    with clock.timing("policy"):
        _policy_call(policy.reset, spec.task())
    settle = np.asarray(protocol.settle_action, dtype=np.float32)
    execute, bounds = replan_steps(protocol, pspec), ActionBounds(protocol.action_bounds or ())
    with clock.timing("sim"):
        for _ in range(protocol.settle_steps):
            env.step(settle)
    while progress.steps < spec.max_steps:
        with clock.timing("render"):
            obs = env.observe(pspec.cameras, pspec.image_size, pspec.state_keys)
        obs.step = progress.steps
        if pspec.privileged:
            with clock.timing("sim"):
                obs.privileged = _privileged_state(env, pspec)
        with clock.timing("policy"):
            chunk = _ask(policy, obs, pspec)[:execute]
        if _execute(env, chunk, bounds.outside(chunk), spec, observers, clock, progress):
            return


def replan_steps(protocol: BenchProtocol, pspec: PolicySpec) -> int | None:
    """How many actions of each chunk are executed before the policy is asked again: the fewest that the benchmark's
    protocol and the policy's spec allow (None: the whole chunk)."""
    caps = [n for n in (protocol.replan_steps, pspec.replan_steps) if n]
    return min(caps) if caps else None


class ActionBounds:
    """A protocol's action_bounds as arrays (unbounded: infinite), with a little slack for float rounding."""

    SLACK = 1e-6

    def __init__(self, bounds: Sequence[Sequence[float | None]]) -> None:
        self.low = np.array([-np.inf if lo is None else lo for lo, _ in bounds], dtype=np.float64) - self.SLACK
        self.high = np.array([np.inf if hi is None else hi for _, hi in bounds], dtype=np.float64) + self.SLACK

    def outside(self, chunk: np.ndarray) -> np.ndarray:
        """Per action of the chunk: does any dimension leave the bounds?"""
        if not len(self.low):
            return np.zeros(len(chunk), dtype=bool)
        n = min(chunk.shape[1], len(self.low))
        return np.any((chunk[:, :n] < self.low[:n]) | (chunk[:, :n] > self.high[:n]), axis=1)


def _execute(env: Env, chunk: np.ndarray, outside: np.ndarray, spec: EpisodeSpec,
             observers: Sequence[EpisodeObserver], clock: _Clock, progress: _Progress) -> bool:
    """Apply a chunk's actions; True when the episode ended (success or max steps)."""
    for action, out in zip(chunk, outside):
        if observers:
            with clock.timing("render"):  # observers render (video frames, demo frames)
                for observer in observers:
                    observer.before_step(env, action)
        with clock.timing("sim"):
            result = env.step(action)
        progress.steps += 1
        progress.out_of_range += bool(out)
        progress.metrics.update(result.info)
        for observer in observers:
            observer.after_step(result)
        if result.success or progress.steps >= spec.max_steps:
            progress.success = bool(result.success)
            return True
    return False


class _Raised(Exception):
    """An exception a policy call raised, with the kind it is recorded as (policy_error unless it says otherwise)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _policy_call(fn: Callable, *args, who: str = "policy"):
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - whatever a policy raises is the policy's fault, unless it says otherwise
        raise _Raised(kind_of(exc, "policy_error"), f"{who} raised {type(exc).__name__}: {exc}") from exc


def _ask(policy: Policy, obs, pspec: PolicySpec) -> np.ndarray:
    chunk = _policy_call(policy.act, obs, who=f"policy '{pspec.name}'")
    try:
        return check_chunk(chunk, pspec)
    except (NanAction, BadActionShape) as exc:
        raise _Raised(exc.kind, str(exc)) from exc


def upright_frame(env: Env, camera: str, size: int) -> np.ndarray:
    """Upright frame for videos: envs with a non-upright image convention provide `video_frame`."""
    if isinstance(env, VideoFrameSource):
        return env.video_frame(camera, size)
    return env.observe((camera,), size).images[camera]


def _privileged_state(env: Env, pspec: PolicySpec) -> dict:
    """The documented hook for privileged (oracle) policies: only called when the policy's spec says privileged."""
    if not isinstance(env, PrivilegedStateSource):
        raise PolicyFault(f"policy '{pspec.name}' is privileged but {type(env).__name__} "
                          "offers no privileged_state() hook")
    return env.privileged_state()

