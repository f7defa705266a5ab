"""`--policy remote --policy-url ws://HOST:PORT`: a policy served elsewhere, over openpi's websocket protocol.

Works against `vla-harness serve` (the spec comes in the server's metadata, so the loop renders only the cameras
the served policy reads) and against any server speaking openpi's protocol (give `cameras`, `image_size`,
`chunk_len`, `state_keys` and, if its keys differ, `rename`, e.g. rename={images.agentview: observation/image}).

Failures: a server that cannot be reached, drops the connection, or does not reply within `read_timeout_s` ends
the episode with error kind `policy_unreachable` (after `reconnect_attempts` bounded retries with backoff for
refused/dropped connections; a read timeout is not retried: the server is hung). With on_unreachable=stop the
next episode does not start: `spec()` raises RunStopped, which ends the run with a one-line message; the records
are kept and `vla-harness resume` re-runs the errored episodes. Error text from the server (bad request, policy
exception) ends the episode with `policy_error`.

The token comes from the `token` option or the VLA_HARNESS_TOKEN environment variable (prefer the variable:
policy options are written into the run's manifest).
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from vla_harness.harness import codec
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import PolicyConventions
from vla_harness.harness.errors import PolicyFault, PolicyUnreachableFault, UserError
from vla_harness.harness.protocols import StopRun
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo

TOKEN_ENV = "VLA_HARNESS_TOKEN"
ON_UNREACHABLE = ("continue", "stop")


class PolicyUnreachable(PolicyUnreachableFault, UserError, ConnectionError):
    """The server cannot be reached or does not answer; recorded as `policy_unreachable` (not a failure)."""


class RemotePolicyError(PolicyFault, RuntimeError):
    """The server answered with an error (bad request, policy exception, message too big)."""


class _Lost(Exception):
    """One attempt failed in a way a reconnect may fix (`final`: one that it cannot, e.g. a wrong token)."""

    def __init__(self, message: str, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


class RunStopped(StopRun):
    """on_unreachable=stop: the run ends after recording the episode that met the unreachable server."""


def check_on_unreachable(value: str) -> None:
    if value not in ON_UNREACHABLE:
        raise ConfigError(f"on_unreachable must be one of {', '.join(ON_UNREACHABLE)}, got '{value}'")


def stop_if_unreachable(url: str, unreachable: bool, on_unreachable: str) -> None:
    """on_unreachable=stop: the next episode does not start once the server was found unreachable."""
    if unreachable and on_unreachable == "stop":
        raise RunStopped(f"policy server {url} is unreachable and on_unreachable=stop: the run stopped; "
                         "finished episodes are on disk, `vla-harness resume RUN_DIR` re-runs the errored ones")


def backoff(base_s: float, attempt: int) -> None:
    """The wait before retry `attempt` (1, 2, ...): doubling from base_s, at most 5 s."""
    time.sleep(min(base_s * 2 ** (attempt - 1), 5.0))


class RemotePolicy:
    def __init__(self, url: str | None = None, token: str | None = None, connect_timeout_s: float = 10.0,
                 read_timeout_s: float = 60.0, reconnect_attempts: int = 3, reconnect_backoff_s: float = 0.5,
                 on_unreachable: str = "continue", cameras: list[str] | tuple[str, ...] = (),
                 image_size: int = 224, chunk_len: int = 1, state_keys: list[str] | tuple[str, ...] = (),
                 action_dim: int = 7, max_chunk: int | None = None, rename: dict[str, str] | None = None,
                 max_message_bytes: int = 64 * 2**20) -> None:
        if not url:
            raise ConfigError("policy 'remote' needs the server URL: --policy-url ws://HOST:PORT")
        check_on_unreachable(on_unreachable)
        self.url = url if "://" in url else f"ws://{url}"
        self.token = token or os.environ.get(TOKEN_ENV) or None
        self.connect_timeout_s, self.read_timeout_s = float(connect_timeout_s), float(read_timeout_s)
        self.reconnect_attempts, self.backoff_s = max(0, int(reconnect_attempts)), float(reconnect_backoff_s)
        self.on_unreachable, self.max_chunk, self.rename = on_unreachable, max_chunk, dict(rename or {})
        self.max_message_bytes = int(max_message_bytes)
        self._fallback = PolicySpec(name="remote", cameras=tuple(cameras), image_size=int(image_size),
                                    chunk_len=int(chunk_len), state_keys=tuple(state_keys), action_dim=int(action_dim))
        self._ws: ClientConnection | None = None
        self._task: TaskInfo | None = None
        self._episode = ""
        self._task_sent = False
        self.unreachable = False
        self.metadata: dict[str, Any] = {}
        self.last_timing: dict[str, Any] = {}
        self._spec: PolicySpec | None = None
        self._exchange(None)  # connect now (bounded retries): the loop needs the spec before the first episode

    # -- the Policy protocol --
    def spec(self) -> PolicySpec:
        stop_if_unreachable(self.url, self.unreachable, self.on_unreachable)
        return self._spec

    def reset(self, task: TaskInfo) -> None:
        self._task, self._episode, self._task_sent = task, uuid.uuid4().hex[:16], False

    def act(self, obs: Observation) -> np.ndarray:
        reply = self._exchange(obs)
        if isinstance(reply, str):
            raise RemotePolicyError(f"server {self.url} replied with an error: {reply}"[:4000])
        actions = self._actions(reply)
        return actions[: self.max_chunk] if self.max_chunk else actions

    def _actions(self, reply: bytes) -> np.ndarray:
        """The action chunk in a reply (subclasses for other servers' reply formats)."""
        try:
            message = codec.unpackb(reply)
            actions = np.asarray(message["actions"], dtype=np.float32)
        except (codec.CodecError, KeyError, TypeError, ValueError) as exc:
            raise RemotePolicyError(f"server {self.url} sent an unusable reply: {exc}") from exc
        timing = message.get("server_timing")
        self.last_timing = timing if isinstance(timing, dict) else {}
        return actions

    def close(self) -> None:
        self._drop()

    # -- the wire --
    @property
    def harness_server(self) -> bool:
        return self.metadata.get("server") == "vla-harness"

    def _request(self, obs: Observation) -> dict[str, Any]:
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

    def _served_spec(self, metadata: Any) -> PolicySpec:
        """The spec the loop runs with: a vla-harness server's own, else the one the options give."""
        return _spec_from(metadata) or self._fallback

    def _exchange(self, obs: Observation | None) -> bytes | str | None:
        """Send one observation (None: just connect) and return the raw reply, reconnecting a bounded number
        of times when the connection is refused or dropped."""
        errors: list[str] = []
        for attempt in range(1 + self.reconnect_attempts):
            if attempt:
                backoff(self.backoff_s, attempt)
            try:
                if self._ws is None:
                    self._connect()
                reply = None if obs is None else self._round_trip(obs)
            except _Lost as exc:
                errors.append(str(exc))
                if exc.final:
                    break
                continue
            self.unreachable = False
            return reply
        self.unreachable = True
        raise PolicyUnreachable(f"policy server {self.url} unreachable after {len(errors)} attempt(s): "
                                + "; ".join(dict.fromkeys(errors)))

    def _frames(self, obs: Observation) -> list[bytes]:
        """The messages one decision point sends before it reads the one reply (subclasses: other framings)."""
        request = self._request(obs)
        try:
            data = codec.packb(request)
        except TypeError as exc:
            raise RemotePolicyError(f"cannot encode the observation: {exc}") from exc
        self._task_sent = self._task_sent or "task" in request  # a failed send reconnects, which clears it
        return [data]

    def _round_trip(self, obs: Observation) -> bytes | str:
        frames = self._frames(obs)
        try:
            for data in frames:
                self._ws.send(data)
            return self._ws.recv(timeout=self.read_timeout_s)
        except TimeoutError:
            self._drop()
            self.unreachable = True
            raise PolicyUnreachable(f"policy server {self.url} sent no reply within {self.read_timeout_s:g} s "
                                    "(read_timeout_s); it looks hung") from None
        except (ConnectionClosed, OSError) as exc:
            raise _Lost(self._lost(exc)) from exc

    def _connect(self) -> None:
        headers = {"Authorization": f"Api-Key {self.token}"} if self.token else None
        local = urlsplit(self.url).hostname in ("127.0.0.1", "localhost", "::1")
        try:
            ws = connect(self.url, compression=None, max_size=self.max_message_bytes, additional_headers=headers,
                         open_timeout=self.connect_timeout_s, close_timeout=1.0, legacy=True,
                         **({"proxy": None} if local else {}))
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            final = isinstance(exc, (InvalidURI, InvalidStatus)) and not _retryable(exc)
            raise _Lost(_describe(exc), final=final) from exc
        try:
            metadata = self._handshake(ws)
        except (OSError, ConnectionClosed, ValueError) as exc:  # CodecError is a ValueError
            ws.close()
            raise _Lost(f"no metadata from the server: {_describe(exc)}") from exc
        spec = self._served_spec(metadata)
        if self._spec is not None and spec != self._spec:
            ws.close()
            raise RemotePolicyError(f"policy server {self.url} now serves {spec}, not {self._spec} as at the start "
                                    "of the run")
        self._ws, self._spec, self._task_sent = ws, spec, False
        self.metadata = metadata if isinstance(metadata, dict) else {}

    def _handshake(self, ws: ClientConnection) -> Any:
        """openpi's: the server speaks first, with its metadata (subclasses: other handshakes)."""
        return codec.unpackb(ws.recv(timeout=self.connect_timeout_s))

    def _lost(self, exc: BaseException) -> str:
        self._drop()
        if isinstance(exc, ConnectionClosed) and exc.rcvd is not None and exc.rcvd.code == 1009:
            raise RemotePolicyError(f"policy server {self.url} refused the request as too big: {exc.rcvd.reason}")
        return _describe(exc)

    def _drop(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - the connection is gone either way
                pass


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


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, InvalidStatus) and exc.response.status_code >= 500


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus) and exc.response.status_code in (401, 403):
        return f"HTTP {exc.response.status_code}: missing or wrong token (set {TOKEN_ENV} or -P token=...)"
    return f"{type(exc).__name__}: {exc}"
