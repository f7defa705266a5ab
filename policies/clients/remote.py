"""`--policy remote --policy-url ws://HOST:PORT`: a policy served elsewhere, over openpi's websocket protocol.

Works against `vla-harness serve` (the spec comes in the server's metadata, so the loop renders only the cameras
the served policy reads) and against any server speaking openpi's protocol (give `cameras`, `image_size`,
`state_keys`, `replan_steps` and, if its keys differ, `rename`, e.g. rename={images.agentview: observation/image}).
The transport (retries, timeouts, token, on_unreachable) is policies/clients/transport.py's; error text from the
server (bad request, policy exception) ends the episode with `policy_error`.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import numpy as np

from vla_harness.harness import codec
from vla_harness.harness.conventions import PolicyConventions
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.clients.transport import RemotePolicyError


def pack(request: dict[str, Any]) -> bytes:
    """openpi's framing: one msgpack map (numpy arrays as openpi-client packs them)."""
    try:
        return codec.packb(request)
    except TypeError as exc:
        raise RemotePolicyError(f"cannot encode the observation: {exc}") from exc


def unpack_actions(reply: bytes) -> tuple[np.ndarray, dict[str, Any]]:
    """openpi's reply: {"actions": (k, dim), "server_timing": {...}} -> the actions and the timing ({} if none)."""
    try:
        message = codec.unpackb(reply)
        actions = np.asarray(message["actions"], dtype=np.float32)
    except (codec.CodecError, KeyError, TypeError, ValueError) as exc:
        raise BadReply(f"sent an unusable reply: {exc}") from exc
    timing = message.get("server_timing")
    return actions, timing if isinstance(timing, dict) else {}


class RemoteWire:
    """vla-harness serve (harness request keys, the spec in its metadata) or a plain openpi-protocol server."""

    name = "remote"
    # 0.1 names: `max_chunk` was this; `chunk_len` filled a spec field nothing read (so it changed nothing that ran)
    renamed_options = {"max_chunk": "replan_steps", "chunk_len": None}

    def __init__(self, cameras: list[str] | tuple[str, ...] = (), image_size: int = 224,
                 state_keys: list[str] | tuple[str, ...] = (), action_dim: int = 7, replan_steps: int | None = None,
                 rename: dict[str, str] | None = None) -> None:
        self.replan_steps, self.rename = int(replan_steps) if replan_steps else None, dict(rename or {})
        self.fallback = PolicySpec(name="remote", cameras=tuple(cameras), image_size=int(image_size),
                                   replan_steps=self.replan_steps, state_keys=tuple(state_keys),
                                   action_dim=int(action_dim))
        self.metadata: dict[str, Any] = {}
        self.last_timing: dict[str, Any] = {}
        self._task: TaskInfo | None = None
        self._episode, self._task_sent = "", False

    @property
    def harness_server(self) -> bool:
        return self.metadata.get("server") == "vla-harness"

    def spec(self, metadata: Any) -> PolicySpec:
        """The spec the loop runs with: a vla-harness server's own, else the one the options give."""
        return _spec_from(metadata) or self.fallback

    def connected(self, metadata: Any) -> None:
        self.metadata, self._task_sent = metadata if isinstance(metadata, dict) else {}, False

    def reset(self, task: TaskInfo) -> None:
        self._task, self._episode, self._task_sent = task, uuid.uuid4().hex[:16], False

    def request(self, obs: Observation) -> dict[str, Any]:
        request: dict[str, Any] = {"images": dict(obs.images), "state": dict(obs.state), "prompt": obs.instruction}
        if not self.harness_server:
            return _renamed(request, self.rename)
        request["step"] = int(obs.step)
        if obs.privileged is not None:
            request["privileged"] = obs.privileged
        if self._task is not None:
            request["episode"] = self._episode
            if not self._task_sent:
                request["task"] = dataclasses.asdict(self._task)
        return request

    def encode(self, obs: Observation) -> bytes:
        request = self.request(obs)
        data = pack(request)
        self._task_sent = self._task_sent or "task" in request  # a failed send reconnects, which clears it
        return data

    def decode(self, reply: bytes) -> np.ndarray:
        actions, self.last_timing = unpack_actions(reply)
        return actions[: self.replan_steps] if self.replan_steps else actions


RemotePolicy = served(RemoteWire)


def _spec_from(metadata: Any) -> PolicySpec | None:
    """The served policy's spec, from a vla-harness server's metadata (None for other openpi servers)."""
    if not isinstance(metadata, dict) or metadata.get("server") != "vla-harness":
        return None
    fields = {f.name for f in dataclasses.fields(PolicySpec)}
    raw = {k: v for k, v in (metadata.get("spec") or {}).items() if k in fields}
    for key in ("cameras", "state_keys"):
        raw[key] = tuple(raw.get(key, ()))
    raw["conventions"] = PolicyConventions.from_dict(raw.get("conventions"))  # so this side's worker converts
    raw["name"] = f"remote:{raw.get('name', '?')}"
    return PolicySpec(**raw)


def _renamed(request: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    """For servers with other key names: move `images.CAM`, `state.KEY` or `prompt` to a top-level key."""
    for source, target in rename.items():
        group, _, name = source.partition(".")
        holder = request.get(group) if name else request
        key = name or group
        if isinstance(holder, dict) and key in holder:
            request[target] = holder.pop(key)
    return {k: v for k, v in request.items() if not (isinstance(v, dict) and not v and k in ("images", "state"))}
