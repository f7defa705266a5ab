"""The one episode loop: settle, then ask for a chunk, execute it, render only before the next ask."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from harness.errors import BadActionShape, NanAction, PolicyFault, kind_of
from harness.protocols import BenchProtocol, Env, Policy
from harness.types import EpisodeSpec, ErrorInfo, PolicySpec, TimeSplit


@dataclass
class EpisodeOutcome:
    success: bool | None
    steps: int
    error: ErrorInfo | None
    time: TimeSplit
    metrics: dict = field(default_factory=dict)
    frames: list[np.ndarray] = field(default_factory=list)


@dataclass
class _Clock:
    sim: float = 0.0
    render: float = 0.0
    policy: float = 0.0

    def timed(self, part: str, fn: Callable, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            setattr(self, part, getattr(self, part) + time.perf_counter() - t0)


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
                video_camera: str | None = None, video_size: int = 128) -> EpisodeOutcome:
    """Run one episode; policy and env exceptions end it with an error whose kind carries the blame (harness.errors):
    the policy's own faults count as failures downstream, env and infrastructure errors do not."""
    pspec = policy.spec()
    clock, frames = _Clock(), []
    t_start = time.perf_counter()
    steps, success, error, metrics = 0, False, None, {}
    try:
        clock.timed("sim", env.reset, spec)
        clock.timed("policy", _policy_call, policy.reset, spec.task())
        settle = np.asarray(protocol.settle_action, dtype=np.float32)
        for _ in range(protocol.settle_steps):
            clock.timed("sim", env.step, settle)
        while steps < spec.max_steps and not success:
            obs = clock.timed("render", env.observe, pspec.cameras, pspec.image_size, pspec.state_keys)
            obs.step = steps
            if pspec.privileged:
                obs.privileged = clock.timed("sim", _privileged_state, env, pspec)
            chunk = clock.timed("policy", _ask, policy, obs, pspec)
            for action in chunk:
                if video_camera:
                    frames.append(clock.timed("render", upright_frame, env, video_camera, video_size))
                result = clock.timed("sim", env.step, action)
                steps += 1
                metrics.update(result.info)
                if result.success or steps >= spec.max_steps:
                    success = bool(result.success)
                    break
    except _Raised as exc:  # the loop's own checks and policy calls: the message already says who and what
        error = ErrorInfo(exc.kind, str(exc)[:2000])
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - any other adapter failure is the env's, unless it says otherwise
        error = ErrorInfo(kind_of(exc, "env_error"), f"{type(exc).__name__}: {exc}"[:2000])
    wall = time.perf_counter() - t_start
    overhead = max(0.0, wall - clock.sim - clock.render - clock.policy)
    split = TimeSplit(wall, clock.sim, clock.render, clock.policy, overhead)
    return EpisodeOutcome(None if error else success, steps, error, split, metrics, frames)


class _Raised(Exception):
    """An exception a policy call raised, with the kind it is recorded as (policy_error unless it says otherwise)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _policy_call(fn: Callable, *args):
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - whatever a policy raises is the policy's fault, unless it says otherwise
        raise _Raised(kind_of(exc, "policy_error"), f"policy raised {type(exc).__name__}: {exc}") from exc


def _ask(policy: Policy, obs, pspec: PolicySpec) -> np.ndarray:
    try:
        chunk = policy.act(obs)
        return check_chunk(chunk, pspec)
    except (NanAction, BadActionShape) as exc:
        raise _Raised(exc.kind, str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - whatever a policy raises is the policy's fault, unless it says otherwise
        message = f"policy '{pspec.name}' raised {type(exc).__name__}: {exc}"
        raise _Raised(kind_of(exc, "policy_error"), message) from exc


def upright_frame(env: Env, camera: str, size: int) -> np.ndarray:
    """Upright frame for videos: envs with a non-upright image convention provide `video_frame`."""
    if hasattr(env, "video_frame"):
        return env.video_frame(camera, size)
    return env.observe((camera,), size).images[camera]


def _privileged_state(env: Env, pspec: PolicySpec) -> dict:
    """The documented hook for privileged (oracle) policies: only called when the policy's spec says privileged."""
    if not hasattr(env, "privileged_state"):
        raise PolicyFault(f"policy '{pspec.name}' is privileged but {type(env).__name__} "
                          "offers no privileged_state() hook")
    return env.privileged_state()
