"""Small frozen dataclasses that travel between benchmark, policy, loop and store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vla_harness.harness.conventions import PolicyConventions


@dataclass(frozen=True)
class TaskInfo:
    """What a policy is told at reset: which task, in words."""

    bench: str
    suite: str
    task_id: int
    task_name: str
    instruction: str
    seed: int = 0  # the episode's seed, for stochastic policies that want reproducible samples


def known_fields(cls: type, d: dict[str, Any]) -> dict[str, Any]:
    """The entries of `d` that are fields of dataclass `cls`: a newer writer's extra fields are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in d.items() if k in names}


@dataclass(frozen=True)
class Perturbation:
    """What an episode changes: a native sweep's dimension at a level, or one official LIBERO-Plus variant."""

    dimension: str
    level: int | None = None  # native sweep severity 0-5 (0: unperturbed draw)
    difficulty: int | None = None  # LIBERO-Plus official difficulty 1-5 (None where unclassified)
    variant_id: str | None = None  # LIBERO-Plus variant; names the episode in its key
    params: dict[str, Any] = field(default_factory=dict)  # the drawn or official parameters

    @property
    def id(self) -> str:
        return str(self.variant_id or f"{self.dimension}-{self.level}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any] | None) -> "Perturbation | None":
        return Perturbation(**known_fields(Perturbation, d)) if d else None


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
    perturbation: Perturbation | None = None

    @property
    def perturbation_id(self) -> str:
        return self.perturbation.id if self.perturbation else "none"

    @property
    def key(self) -> str:
        return f"{self.bench}/{self.suite}/{self.task_id}/{self.perturbation_id}/{self.trial}"

    def task(self) -> TaskInfo:
        return TaskInfo(self.bench, self.suite, self.task_id, self.task_name, self.instruction, self.seed)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "EpisodeSpec":
        fields = known_fields(EpisodeSpec, d)
        return EpisodeSpec(**{**fields, "perturbation": Perturbation.from_dict(d.get("perturbation"))})


@dataclass(frozen=True)
class PolicySpec:
    """What a policy needs from the loop: cameras, image size, state keys; `conventions` says how it wants them
    (orientation, state vectors, gripper; harness/conventions.py; None: the env's raw output). `replan_steps`: the
    loop executes at most this many actions of each chunk `act` returns before asking again (None: all of them; a
    benchmark protocol's own `replan_steps` caps it too)."""

    name: str
    version: str = "0"
    cameras: tuple[str, ...] = ()
    image_size: int = 224
    replan_steps: int | None = None
    state_keys: tuple[str, ...] = ()
    action_dim: int = 7
    privileged: bool = False
    conventions: PolicyConventions | None = None
    # What identifies the model behind the adapter (e.g. {"checkpoint": path, "sha256": digest}); records carry it
    # and reports label and separate runs by it. A served policy's travels in the server's metadata.
    identity: dict[str, str] = field(default_factory=dict)
    # vla-harness 0.1 policies may still pass `chunk_len`: it was never read, so it is accepted and changes nothing
    chunk_len: dataclasses.InitVar[int | None] = None


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
    kind: str  # one of harness.errors.KIND_BLAME: policy_error, env_error, worker_died, skipped, ...
    message: str


@dataclass(frozen=True)
class TimeSplit:
    wall_s: float
    sim_s: float
    render_s: float
    policy_s: float
    overhead_s: float
    # An env in a child process (harness/env_proxy.py): of sim_s + render_s, the child's own seconds and the wire's.
    env_child_s: float | None = None
    env_wire_s: float | None = None


@dataclass(frozen=True)
class PolicyRef:
    """Which policy produced a record: the name the run asked for, the adapter's version and its `module:attr`;
    the spec's own name (a served policy's, e.g. remote:zero) and its declared identity (None: not recorded)."""

    name: str
    version: str | None = None
    target: str | None = None
    spec_name: str | None = None
    identity: dict[str, str] | None = None


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode as stored in episodes.jsonl (small: no frames); docs/schema.md describes each field.
    Read stored records with harness.schema.record_from_dict, which checks `schema_version` and upgrades old ones."""

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
    policy: PolicyRef | None = None
    actions_out_of_range: int | None = None  # executed actions outside the protocol's action_bounds (None: undeclared)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "EpisodeRecord":
        """A record of this code's schema; unknown fields (a newer writer's additions) are ignored."""
        fields = known_fields(EpisodeRecord, d)
        error = ErrorInfo(**known_fields(ErrorInfo, d["error"])) if d.get("error") else None
        policy = PolicyRef(**known_fields(PolicyRef, d["policy"])) if d.get("policy") else None
        return EpisodeRecord(**{**fields, "spec": EpisodeSpec.from_dict(d["spec"]), "error": error, "policy": policy,
                                "time": TimeSplit(**known_fields(TimeSplit, d["time"]))})
