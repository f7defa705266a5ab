"""The three interfaces every adapter implements (Policy, Benchmark, Env) and the optional hooks they may offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, runtime_checkable

import numpy as np

from vla_harness.harness.conventions import BenchConventions
from vla_harness.harness.errors import StopRun  # noqa: F401 - its home before harness/errors.py held every error
from vla_harness.harness.types import EpisodeSpec, Observation, PolicySpec, StepResult, TaskInfo


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
class ChildProcessEnv(Protocol):
    """An env that runs in a child process (harness/env_proxy.py): of the episode's env calls so far, the seconds the
    child spent itself and the rest (the wire: pipe, codec, process switch). Both are in the record's time split."""

    def process_times(self) -> tuple[float, float]: ...


@runtime_checkable
class RenamesOptions(Protocol):
    """A factory whose options had other names when older runs were written (their manifests keep those names):
    old name -> current one, or None for an option that is retired (accepted and ignored: it never changed what ran)."""

    renamed_options: Mapping[str, str | None]


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
    trials_per_task: int  # the published protocol's; LIBERO and LIBERO-Plus default --trials to it
    cameras: tuple[str, ...]
    source: str
    extra: dict[str, Any] = field(default_factory=dict)
    conventions: BenchConventions | None = None  # what the env renders and offers (harness/conventions.py)
    replan_steps: int | None = None  # the loop executes at most this many actions of each chunk (None: all of it)
    # What reports need to know and must not re-type (results/facts.py): `dimensions` in the benchmark's order,
    # `level_name` ("difficulty" or "level"), `dimension_weights` (published variants per dimension), `metrics` (the
    # episode metrics it records: key -> meaning), `family` (benches reported in one table), `paper_columns` (the
    # published table's columns: suite or task -> header). Labels only: not hashed, so adding one leaves every run
    # resumable and comparable.
    report: dict[str, Any] = field(default_factory=dict)
    # The range the env accepts for each action dimension, (low, high), None where unbounded: the loop counts the
    # executed actions outside it (robosuite and ManiSkill clip them without a word). Not hashed: it changes no number.
    action_bounds: tuple[tuple[float | None, float | None], ...] | None = None


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
