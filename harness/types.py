"""Small frozen dataclasses that travel between benchmark, policy, loop and store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.conventions import PolicyConventions


@dataclass(frozen=True)
class TaskInfo:
    """What a policy is told at reset: which task, in words."""

    bench: str
    suite: str
    task_id: int
    task_name: str
    instruction: str
    seed: int = 0  # the episode's seed, for stochastic policies that want reproducible samples


@dataclass(frozen=True)
class EpisodeSpec:
    """One episode, fully determined: expanding a benchmark gives a list of these."""

    bench: str
    suite: str
    task_id: int
    task_name: str
    instruction: str
    trial: int
    seed: int
    max_steps: int
    init_state_index: int | None = None
    perturbation: dict[str, Any] | None = None  # {dimension, level, params, variant_id, difficulty}

    @property
    def perturbation_id(self) -> str:
        if not self.perturbation:
            return "none"
        p = self.perturbation
        return str(p.get("variant_id") or f"{p['dimension']}-{p.get('level')}")

    @property
    def key(self) -> str:
        return f"{self.bench}/{self.suite}/{self.task_id}/{self.perturbation_id}/{self.trial}"

    def task(self) -> TaskInfo:
        return TaskInfo(self.bench, self.suite, self.task_id, self.task_name, self.instruction, self.seed)


@dataclass(frozen=True)
class PolicySpec:
    """What a policy needs from the loop: cameras, image size, chunk length, state keys; `conventions` says how it
    wants them (orientation, state vectors, gripper; harness/conventions.py). None: the env's raw output."""

    name: str
    version: str = "0"
    cameras: tuple[str, ...] = ()
    image_size: int = 224
    chunk_len: int = 1
    state_keys: tuple[str, ...] = ()
    action_dim: int = 7
    privileged: bool = False
    conventions: PolicyConventions | None = None


@dataclass
class Observation:
    """What the policy sees at a decision point; images only for the cameras it asked for."""

    images: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    instruction: str
    step: int
    privileged: dict[str, Any] | None = None


@dataclass(frozen=True)
class StepResult:
    success: bool
    reward: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorInfo:
    kind: str  # policy_error | nan_action | bad_action_shape | env_error | worker_died | timeout | policy_unreachable | skipped
    message: str


@dataclass(frozen=True)
class TimeSplit:
    wall_s: float
    sim_s: float
    render_s: float
    policy_s: float
    overhead_s: float


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode as stored in episodes.jsonl (small: no frames)."""

    schema_version: int
    run_id: str
    key: str
    spec: EpisodeSpec
    success: bool | None
    steps: int
    error: ErrorInfo | None
    attempt: int
    worker: str
    time: TimeSplit
    video: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    finished_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "EpisodeRecord":
        spec = EpisodeSpec(**d["spec"])
        error = ErrorInfo(**d["error"]) if d.get("error") else None
        fields = {k: v for k, v in d.items() if k not in ("spec", "error", "time")}
        return EpisodeRecord(spec=spec, error=error, time=TimeSplit(**d["time"]), **fields)
