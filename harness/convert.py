"""The one place observations and actions are converted between a benchmark's and a policy's declared conventions.

`plan_for` joins a benchmark's `BenchConventions` with a policy's spec once (a mismatch that cannot be converted is
a one-line ConfigError before the first episode); `ConventionPolicy` wraps the policy so the unchanged episode loop
renders what the plan asks for and the policy sees its own convention: images under the names it asked for (role,
simulator camera or alias), oriented as it wants, at its size; state vectors assembled from named quantities; its
gripper values mapped onto the benchmark's. A policy that declares no conventions gets the env's output as is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import (
    DERIVED,
    QUANTITIES,
    BenchConventions,
    PolicyConventions,
    reorient,
)
from vla_harness.harness.gripper import GripperCommands, GripperMismatch
from vla_harness.harness.protocols import BenchProtocol, Policy
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo


@dataclass(frozen=True)
class CameraPlan:
    name: str  # what the policy called it: obs.images key
    camera: str  # the env's camera
    have: str
    want: str


@dataclass(frozen=True)
class Source:
    """One quantity of a policy's state vector: a slice of an env entry, maybe passed through a derivation."""

    key: str
    start: int
    stop: int | None
    derive: Callable[[np.ndarray], np.ndarray] | None = None

    def read(self, state: dict[str, np.ndarray]) -> np.ndarray:
        part = np.ravel(state[self.key])[self.start:self.stop]
        return self.derive(part) if self.derive else part


@dataclass(frozen=True)
class ConversionPlan:
    env_spec: PolicySpec  # what the loop renders and reads for this policy
    cameras: tuple[CameraPlan, ...]
    state: tuple[tuple[str, tuple[Source, ...]], ...]
    raw_state: tuple[str, ...]  # the policy's own state_keys, passed as the env gives them
    gripper: GripperCommands  # a template: per-episode state lives in commands() copies (harness/gripper.py)
    size: int

    def observation(self, obs: Observation) -> Observation:
        images = {c.name: _sized(reorient(obs.images[c.camera], c.have, c.want), self.size) for c in self.cameras}
        state = {k: obs.state[k] for k in self.raw_state}
        for key, sources in self.state:
            state[key] = np.concatenate([s.read(obs.state) for s in sources])
        return dataclasses.replace(obs, images=images, state=state)

    def commands(self) -> GripperCommands:
        """A fresh per-episode gripper converter."""
        return dataclasses.replace(self.gripper)

    def actions(self, chunk: Any) -> Any:
        """A chunk converted on its own (no state across chunks): only for grippers that need none."""
        if self.gripper.stateful:
            raise ValueError("this gripper conversion keeps state across steps: convert through ConventionPolicy")
        return self.commands().chunk(chunk)


def _rows(chunk: Any) -> int:
    """How many actions a (k, dim) chunk holds; 0 for anything else (the loop's own check names what is wrong)."""
    try:
        arr = np.asarray(chunk)
    except (TypeError, ValueError):
        return 0
    return arr.shape[0] if arr.ndim == 2 else 0


def _sized(image: np.ndarray, size: int) -> np.ndarray:
    """Envs render at the policy's size; only images from elsewhere (a served policy's clients) may need a resize."""
    if not size or image.shape[:2] == (size, size):
        return image
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def plan_for(bench: BenchConventions | None, spec: PolicySpec, bench_name: str, action_dim: int) -> ConversionPlan:
    """Join the two declarations; raise a one-line ConfigError for what cannot be converted."""
    pc: PolicyConventions = spec.conventions
    who = f"policy '{spec.name}' on '{bench_name}'"
    if bench is None:
        raise ConfigError(f"{who}: the benchmark declares no conventions (camera roles, state, action space), so "
                          f"the policy's cannot be met; declare them in its BenchProtocol (docs/conventions.md)")
    if pc.action_space and pc.action_space != bench.action.name:
        raise ConfigError(f"{who}: the policy outputs '{pc.action_space}' actions, the benchmark takes "
                          f"'{bench.action.name}'; no mapping is defined between them")
    if spec.action_dim != action_dim:
        raise ConfigError(f"{who}: the policy outputs {spec.action_dim}-d actions, the benchmark takes {action_dim}-d")
    cameras = tuple(_camera(bench, name, pc.orientation, who) for name in spec.cameras)
    state = tuple((v.key, tuple(_source(bench, q, who) for q in v.quantities)) for v in pc.state)
    sim_cameras = tuple(dict.fromkeys(c.camera for c in cameras))
    sim_state = tuple(dict.fromkeys([*spec.state_keys, *(s.key for _, srcs in state for s in srcs)]))
    env_spec = dataclasses.replace(spec, cameras=sim_cameras, state_keys=sim_state)
    try:
        gripper = GripperCommands.join(pc, bench.action.gripper)
    except GripperMismatch as exc:
        raise ConfigError(f"{who}: {exc}") from None
    return ConversionPlan(env_spec, cameras, state, tuple(spec.state_keys), gripper, spec.image_size)


def _camera(bench: BenchConventions, name: str, want: str, who: str) -> CameraPlan:
    cam = bench.camera(name)
    if cam is None:
        offered = ", ".join(f"{c.role} ({c.camera})" for c in bench.cameras)
        raise ConfigError(f"{who}: the policy reads camera '{name}', the benchmark offers {offered}")
    return CameraPlan(name, cam.camera, cam.orientation, want)


def _source(bench: BenchConventions, quantity: str, who: str) -> Source:
    found = _direct(bench, quantity)
    if found:
        return found
    for origin, fn in DERIVED.get(quantity, ()):
        base = _direct(bench, origin)
        if base:
            return dataclasses.replace(base, derive=fn)
    offered = ", ".join(q for e in bench.state for q in e.quantities) or "none"
    raise ConfigError(f"{who}: the policy reads state '{quantity}', which the benchmark's state ({offered}) "
                      "does not hold or determine")


def _direct(bench: BenchConventions, quantity: str) -> Source | None:
    for entry in bench.state:
        start = 0
        for q in entry.quantities:
            size = QUANTITIES[q][0]
            if q == quantity:
                return Source(entry.key, start, None if size < 0 else start + size)
            if size < 0:
                break  # a variable-length quantity ends what can be sliced from this entry
            start += size
    return None


class ConventionPolicy:
    """The policy as the episode loop sees it: the env-facing spec, observations and actions converted by the plan."""

    def __init__(self, policy: Policy, protocol: BenchProtocol) -> None:
        self.policy, self.protocol = policy, protocol
        self._inner: PolicySpec | None = None
        self.plan: ConversionPlan | None = None
        self.gripper: GripperCommands | None = None
        self.spec()

    def spec(self) -> PolicySpec:
        inner = self.policy.spec()
        if inner != self._inner:
            self.plan = plan_for(self.protocol.conventions, inner, self.protocol.name, self.protocol.action_dim)
            self.gripper, self._inner = self.plan.commands(), inner
        return self.plan.env_spec

    def reset(self, task: TaskInfo) -> None:
        self.gripper.reset()
        self.policy.reset(task)

    def act(self, obs: Observation) -> np.ndarray:
        chunk = self.policy.act(self.plan.observation(obs))
        if self.gripper.stateful and self.protocol.replan_steps and _rows(chunk) > self.protocol.replan_steps:
            chunk = chunk[: self.protocol.replan_steps]  # convert exactly the actions the loop will run, in order
        return self.gripper.chunk(chunk)

    def close(self) -> None:
        self.policy.close()

    def __getattr__(self, name: str):
        if name == "policy":
            raise AttributeError(name)
        return getattr(self.policy, name)  # the adapter's own attributes (phase logs, metadata...)


def conform(policy: Policy, protocol: BenchProtocol) -> Policy:
    """The policy the worker runs: wrapped when it declares conventions, else as it is (the env's raw output)."""
    if policy.spec().conventions is None:
        return policy
    return ConventionPolicy(policy, protocol)
