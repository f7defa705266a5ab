"""The three interfaces every adapter implements (Policy, Benchmark, Env) and the optional hooks they may offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vla_harness.harness.conventions import BenchConventions
from vla_harness.harness.errors import UserError
from vla_harness.harness.types import EpisodeSpec, Observation, PolicySpec, StepResult, TaskInfo


class StopRun(UserError, RuntimeError):
    """Raised by a policy or benchmark to end the whole run: every runner stops scheduling, records what is in flight,
    and re-raises it (e.g. a remote policy with on_unreachable=stop). The episodes not started stay for `resume`."""


@runtime_checkable
class Policy(Protocol):
    def spec(self) -> PolicySpec: ...

    def reset(self, task: TaskInfo) -> None: ...

    def act(self, obs: Observation) -> np.ndarray:
        """Return an action chunk, shape (k, action_dim), float32."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Env(Protocol):
    def reset(self, spec: EpisodeSpec) -> None: ...

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        """Render only the cameras asked for, at size x size."""
        ...

    def step(self, action: np.ndarray) -> StepResult:
        """Physics only: no rendering."""
        ...

    def close(self) -> None: ...


# Optional hooks: an adapter offers one by having the method; the core asks with isinstance, never hasattr.
@runtime_checkable
class VideoFrameSource(Protocol):
    """An env whose images are not upright (LIBERO's renderer): upright frames for videos and recordings."""

    def video_frame(self, camera: str, size: int) -> np.ndarray: ...


@runtime_checkable
class PrivilegedStateSource(Protocol):
    """An env that hands simulator state to privileged (oracle) policies, whose spec says `privileged=True`."""

    def privileged_state(self) -> dict[str, Any]: ...


@runtime_checkable
class BatchPolicy(Protocol):
    """A policy that acts on many observations in one call (the policy server batches requests across clients)."""

    def act_batch(self, observations: list[Observation]) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class BenchProtocol:
    """The published evaluation protocol of a benchmark, written down once; hashed into every run."""

    name: str
    settle_steps: int
    settle_action: tuple[float, ...]
    action_dim: int
    control_hz: float
    max_steps: int
    trials_per_task: int
    cameras: tuple[str, ...]
    source: str
    extra: dict[str, Any] = field(default_factory=dict)
    conventions: BenchConventions | None = None  # what the env renders and offers (harness/conventions.py)
    replan_steps: int | None = None  # the loop executes at most this many actions of each chunk (None: all of it)
    # What reports need to know and must not re-type (results/facts.py): `dimensions` in the benchmark's order,
    # `level_name` ("difficulty" or "level"), `dimension_weights` (published variants per dimension). Labels only:
    # not hashed, so adding one leaves every run resumable and comparable.
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchSelection:
    """Which part of a benchmark a run covers (the CLI's filters)."""

    suites: tuple[str, ...] | None = None
    tasks: tuple[int, ...] | None = None
    trials: int | None = None
    max_steps: int | None = None


@runtime_checkable
class Benchmark(Protocol):
    name: str

    def protocol(self) -> BenchProtocol: ...

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]: ...

    def env_key(self, spec: EpisodeSpec) -> str:
        """Episodes with the same key can reuse one env (task affinity)."""
        ...

    def make_env(self, spec: EpisodeSpec) -> Env: ...
