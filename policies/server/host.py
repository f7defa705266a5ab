"""PolicyHost: the policy side of the server. Turns request maps into Observations, tracks sessions and
episodes, and runs a batch of requests on the policy (always in the server's one policy thread).

Instances: `shared` keeps one policy for every connection (required for batching across episodes: a policy
that offers `act_batch(list[Observation])` must act from the observations alone); `session` gives each
connection its own instance (exact per-episode state for stateful policies; idle instances are reused);
`auto` picks `shared` for policies with `act_batch`, else `session`.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from vla_harness.harness.convert import ConversionPlan
from vla_harness.harness.protocols import BatchPolicy, Policy
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.wire import openpi_wire

INSTANCE_MODES = ("auto", "shared", "session")
REQUEST_KEYS = {"images", "state", "prompt", "step", "task", "episode", "reset", "privileged"}
TASK_FIELDS = {f.name for f in dataclasses.fields(TaskInfo)}


class RequestError(ValueError):
    """The request map is well-formed msgpack but not a valid observation."""


@dataclass
class Session:
    """One connection: its current episode and (in session mode) its own policy instance."""

    id: int
    task: TaskInfo | None = None
    episode: str | None = None
    steps: int = 0
    policy: Policy | None = None
    reset_for: str | None = None  # the episode this session's instance (or act_batch reset) was last reset for
    counter: itertools.count = field(default_factory=itertools.count)


@dataclass
class Request:
    session: Session
    obs: Observation
    task: TaskInfo
    episode: str
    plan: ConversionPlan | None = None  # an openpi-convention request: its actions go back in LIBERO's convention


def has_act_batch(policy: Any) -> bool:
    return isinstance(policy, BatchPolicy)


class PolicyHost:
    def __init__(self, factory: Callable[[], Policy], instances: str = "auto") -> None:
        if instances not in INSTANCE_MODES:
            raise ValueError(f"instances must be one of {', '.join(INSTANCE_MODES)}, got '{instances}'")
        self.factory = factory
        first = factory()
        self.spec: PolicySpec = first.spec()
        self.mode = ("shared" if has_act_batch(first) else "session") if instances == "auto" else instances
        self.shared: Policy | None = first if self.mode == "shared" else None
        self._idle: list[Policy] = [] if self.mode == "shared" else [first]
        self._all: list[Policy] = [first]
        self._shared_key: tuple[int, str] | None = None
        self._ids = itertools.count(1)

    # -- sessions and requests: event-loop side, no policy code runs here --
    def open_session(self) -> Session:
        return Session(next(self._ids))

    def parse(self, message: Any, session: Session) -> Request:
        """Validate a decoded request map and place it in its session's episode; an openpi LIBERO element is
        converted to the served policy's convention (openpi_wire.py)."""
        if not isinstance(message, dict):
            raise RequestError(f"a request must be a map, got {type(message).__name__}")
        plan = None
        if openpi_wire.is_openpi(message):
            try:
                plan, message = openpi_wire.wire_plan(self.spec), openpi_wire.as_harness(message)
            except openpi_wire.WireError as exc:
                raise RequestError(str(exc)) from exc
        unknown = sorted(str(k) for k in message if k not in REQUEST_KEYS)
        if unknown:
            raise RequestError(f"unknown request key(s) {', '.join(unknown)}; "
                               f"allowed: {', '.join(sorted(REQUEST_KEYS))}")
        images = _named_arrays(message.get("images", {}), "images")
        for cam, img in images.items():
            if img.ndim != 3:
                raise RequestError(f"image '{cam}' must be H x W x C, got shape {img.shape}")
        state = _named_arrays(message.get("state", {}), "state")
        prompt = message.get("prompt")
        if prompt is not None and not isinstance(prompt, str):
            raise RequestError("prompt must be a string")
        privileged = message.get("privileged")
        if privileged is not None and not isinstance(privileged, dict):
            raise RequestError("privileged must be a map")
        step = message.get("step")
        if step is not None and (not isinstance(step, int) or isinstance(step, bool) or step < 0):
            raise RequestError("step must be a non-negative integer")
        task, episode = self._episode_of(message, session, prompt)
        step = session.steps if step is None else step
        session.steps = step + 1
        obs = Observation(images=images, state=state, instruction=prompt if prompt is not None else task.instruction,
                          step=step, privileged=privileged)
        return Request(session, plan.observation(obs) if plan else obs, task, episode, plan)

    def _episode_of(self, message: dict, session: Session, prompt: str | None) -> tuple[TaskInfo, str]:
        """Harness clients name the episode (and send the task once); plain openpi clients get a new episode at
        their first request, when `reset` is true, or when the prompt changes."""
        if "task" in message:
            session.task = _task_info(message["task"])
        episode = message.get("episode")
        if episode is not None:
            if not isinstance(episode, str) or not episode or len(episode) > 200:
                raise RequestError("episode must be a non-empty string (at most 200 characters)")
            if session.task is None:
                raise RequestError("the first request of a harness episode must carry 'task'")
        elif (session.episode is None or message.get("reset") is True
              or (prompt is not None and session.task is not None and prompt != session.task.instruction)):
            text = prompt or ""
            session.task = TaskInfo(bench="remote", suite="", task_id=-1, task_name=text, instruction=text, seed=0)
            episode = f"s{session.id}-e{next(session.counter)}"
        else:
            episode = session.episode
        if episode != session.episode:
            session.episode, session.steps = episode, 0
        return session.task, episode

    # -- policy side: everything below runs in the policy thread --
    def run_batch(self, requests: list[Request]) -> list[np.ndarray | BaseException]:
        results = self._run(requests)
        return [r if req.plan is None or isinstance(r, BaseException) else np.asarray(req.plan.actions(r))
                for req, r in zip(requests, results)]

    def _run(self, requests: list[Request]) -> list[np.ndarray | BaseException]:
        if self.mode == "shared" and has_act_batch(self.shared):
            return self._run_act_batch(requests)
        out: list[np.ndarray | BaseException] = []
        for req in requests:
            try:
                policy = self._instance_for(req.session)
                self._reset_if_new(policy, req)
                out.append(np.asarray(policy.act(req.obs)))
            except Exception as exc:  # noqa: BLE001 - reported to that client only
                out.append(exc)
        return out

    def _run_act_batch(self, requests: list[Request]) -> list[np.ndarray | BaseException]:
        try:
            for req in requests:
                if req.session.reset_for != req.episode:
                    self.shared.reset(req.task)
                    req.session.reset_for = req.episode
            chunks = list(self.shared.act_batch([req.obs for req in requests]))
            if len(chunks) != len(requests):
                raise RuntimeError(f"act_batch returned {len(chunks)} chunks for {len(requests)} observations")
            return [np.asarray(c) for c in chunks]
        except Exception as exc:  # noqa: BLE001 - the whole batch failed: every client in it is told
            return [exc] * len(requests)

    def close_session(self, session: Session) -> None:
        """The connection is gone: its instance (session mode) goes back to the idle pool."""
        if session.policy is not None:
            self._idle.append(session.policy)
            session.policy = None

    def _instance_for(self, session: Session) -> Policy:
        if self.mode == "shared":
            return self.shared
        if session.policy is None:
            session.policy = self._idle.pop() if self._idle else self._new_instance()
            session.reset_for = None
        return session.policy

    def _new_instance(self) -> Policy:
        policy = self.factory()
        self._all.append(policy)
        return policy

    def _reset_if_new(self, policy: Policy, req: Request) -> None:
        if self.mode == "shared":  # one instance, no act_batch: re-reset whenever the episode switches
            key = (req.session.id, req.episode)
            if self._shared_key != key:
                policy.reset(req.task)
                self._shared_key = key
        elif req.session.reset_for != req.episode:
            policy.reset(req.task)
            req.session.reset_for = req.episode

    def close(self) -> None:
        for policy in self._all:
            try:
                policy.close()
            except Exception:  # noqa: BLE001 - closing is best effort at shutdown
                pass


def _named_arrays(value: Any, what: str) -> dict[str, np.ndarray]:
    if not isinstance(value, dict):
        raise RequestError(f"{what} must be a map of name -> array")
    out = {}
    for name, arr in value.items():
        if not isinstance(name, str):
            raise RequestError(f"{what} names must be strings")
        if isinstance(arr, (int, float, list)) and not isinstance(arr, bool):
            arr = np.asarray(arr, dtype=np.float32)
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise RequestError(f"{what}['{name}'] must be a numeric array")
        out[name] = arr
    return out


def _task_info(value: Any) -> TaskInfo:
    if not isinstance(value, dict) or not set(value) <= TASK_FIELDS or "instruction" not in value:
        raise RequestError(f"task must be a map with 'instruction' and fields among {', '.join(sorted(TASK_FIELDS))}")
    fields = {"bench": "remote", "suite": "", "task_id": -1, "task_name": "", "seed": 0, **value}
    for name in ("bench", "suite", "task_name", "instruction"):
        if not isinstance(fields[name], str):
            raise RequestError(f"task.{name} must be a string")
    for name in ("task_id", "seed"):
        if not isinstance(fields[name], int) or isinstance(fields[name], bool):
            raise RequestError(f"task.{name} must be an integer")
    return TaskInfo(**fields)
