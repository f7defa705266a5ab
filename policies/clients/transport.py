"""How a client reaches a policy server: one options dataclass and two transports, websocket and HTTP, that share the
retries, timeouts, token and unreachable handling. What is said over them is a wire's (policies/clients/client.py).

Failures: a server that cannot be reached, drops the connection, or does not reply within `read_timeout_s` ends the
episode with error kind `policy_unreachable` (after `reconnect_attempts` bounded retries with backoff for refused or
dropped connections and HTTP 5xx; a read timeout is not retried: the server is hung). With on_unreachable=stop the
next episode does not start: the client's `spec()` raises RunStopped, which ends the run with a one-line message;
the records are kept and `vla-harness resume` re-runs the errored episodes. The token comes from the `token` option
or the VLA_HARNESS_TOKEN environment variable (prefer the variable: policy options are written into the manifest).
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, TypeVar
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from vla_harness.harness.errors import ConfigError, PolicyFault, PolicyUnreachableFault, StopRun, UserError

TOKEN_ENV = "VLA_HARNESS_TOKEN"
ON_UNREACHABLE = ("continue", "stop")
T = TypeVar("T")


class PolicyUnreachable(PolicyUnreachableFault, UserError, ConnectionError):
    """The server cannot be reached or does not answer; recorded as `policy_unreachable` (not a failure)."""


class RemotePolicyError(PolicyFault, RuntimeError):
    """The server answered with an error (bad request, policy exception, message too big)."""


class RunStopped(StopRun):
    """on_unreachable=stop: the run ends after recording the episode that met the unreachable server."""


class Lost(Exception):
    """One attempt failed in a way a reconnect may fix (`final`: one that it cannot, e.g. a wrong token)."""

    def __init__(self, message: str, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class TransportOptions:
    """How to reach a server; every client takes these as `-P` options (docs/remote.md)."""

    token: str | None = None
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    reconnect_attempts: int = 3
    reconnect_backoff_s: float = 0.5
    on_unreachable: str = "continue"
    max_message_bytes: int = 64 * 2**20  # websocket only

    def __post_init__(self) -> None:
        if self.on_unreachable not in ON_UNREACHABLE:
            raise ConfigError(f"on_unreachable must be one of {', '.join(ON_UNREACHABLE)}, got '{self.on_unreachable}'")
        for name, kind in (("connect_timeout_s", float), ("read_timeout_s", float), ("reconnect_backoff_s", float),
                           ("max_message_bytes", int)):
            object.__setattr__(self, name, kind(getattr(self, name)))
        object.__setattr__(self, "reconnect_attempts", max(0, int(self.reconnect_attempts)))
        object.__setattr__(self, "token", self.token or os.environ.get(TOKEN_ENV) or None)


OPTION_NAMES = tuple(f.name for f in dataclasses.fields(TransportOptions))


class Session(Protocol):
    """What a transport calls back on each new connection (the client that owns it)."""

    def handshake(self, channel: ClientConnection, timeout_s: float) -> Any: ...

    def connected(self, metadata: Any) -> None: ...


def backoff(base_s: float, attempt: int) -> None:
    """The wait before retry `attempt` (1, 2, ...): doubling from base_s, at most 5 s."""
    time.sleep(min(base_s * 2 ** (attempt - 1), 5.0))


class Link:
    """What both transports share: the bounded retry loop and the unreachable state that on_unreachable acts on."""

    def __init__(self, url: str, options: TransportOptions) -> None:
        self.url, self.options, self.unreachable = url, options, False

    def stop_if_unreachable(self) -> None:
        """on_unreachable=stop: the next episode does not start once the server was found unreachable."""
        if self.unreachable and self.options.on_unreachable == "stop":
            raise RunStopped(f"policy server {self.url} is unreachable and on_unreachable=stop: the run stopped; "
                             "finished episodes are on disk, `vla-harness resume RUN_DIR` re-runs the errored ones")

    def retried(self, attempt: Callable[[], T]) -> T:
        """`attempt()` until it does not raise Lost, at most 1 + reconnect_attempts times, backing off between."""
        errors: list[str] = []
        for i in range(1 + self.options.reconnect_attempts):
            if i:
                backoff(self.options.reconnect_backoff_s, i)
            try:
                result = attempt()
            except Lost as exc:
                errors.append(str(exc))
                if exc.final:
                    break
                continue
            self.unreachable = False
            return result
        self.unreachable = True
        raise PolicyUnreachable(f"policy server {self.url} unreachable after {len(errors)} attempt(s): "
                                + "; ".join(dict.fromkeys(errors)))

    def hung(self, timeout_s: float, note: str = "") -> PolicyUnreachable:
        self.unreachable = True
        return PolicyUnreachable(f"policy server {self.url} sent no reply within {timeout_s:g} s{note}; it looks hung")


class WebsocketTransport(Link):
    """One websocket connection, opened at start and reopened (bounded) when refused or dropped; each decision point
    sends its frames and reads one reply. The session's handshake runs on every new connection."""

    def __init__(self, url: str, options: TransportOptions) -> None:
        super().__init__(url if "://" in url else f"ws://{url}", options)
        self._ws: ClientConnection | None = None
        self.session: Session | None = None

    def start(self, session: Session) -> None:
        self.session = session
        self.exchange(None)  # connect now (bounded retries): the loop needs the spec before the first episode

    def exchange(self, frames: Callable[[], Sequence[bytes]] | None) -> bytes | str | None:
        """Send the frames (built anew on each attempt: a new connection may change them) and return the raw reply;
        None: just connect."""
        def attempt() -> bytes | str | None:
            if self._ws is None:
                self._connect()
            return None if frames is None else self._round_trip(frames)

        return self.retried(attempt)

    def _round_trip(self, frames: Callable[[], Sequence[bytes]]) -> bytes | str:
        data = frames()
        try:
            for frame in data:
                self._ws.send(frame)
            return self._ws.recv(timeout=self.options.read_timeout_s)
        except TimeoutError:
            self.drop()
            raise self.hung(self.options.read_timeout_s, " (read_timeout_s)") from None
        except (ConnectionClosed, OSError) as exc:
            raise Lost(self._lost(exc)) from exc

    def _connect(self) -> None:
        opts = self.options
        headers = {"Authorization": f"Api-Key {opts.token}"} if opts.token else None
        local = urlsplit(self.url).hostname in ("127.0.0.1", "localhost", "::1")
        try:
            ws = connect(self.url, compression=None, max_size=opts.max_message_bytes, additional_headers=headers,
                         open_timeout=opts.connect_timeout_s, close_timeout=1.0, legacy=True,
                         **({"proxy": None} if local else {}))
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            final = isinstance(exc, (InvalidURI, InvalidStatus)) and not _retryable(exc)
            raise Lost(_describe(exc), final=final) from exc
        try:
            metadata = self.session.handshake(ws, opts.connect_timeout_s)
        except (OSError, ConnectionClosed, ValueError) as exc:  # CodecError is a ValueError
            ws.close()
            raise Lost(f"no metadata from the server: {_describe(exc)}") from exc
        try:
            self.session.connected(metadata)
        except BaseException:
            ws.close()
            raise
        self._ws = ws

    def _lost(self, exc: BaseException) -> str:
        self.drop()
        if isinstance(exc, ConnectionClosed) and exc.rcvd is not None and exc.rcvd.code == 1009:
            raise RemotePolicyError(f"policy server {self.url} refused the request as too big: {exc.rcvd.reason}")
        return _describe(exc)

    def drop(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - the connection is gone either way
                pass

    def close(self, farewell: Callable[[], Sequence[bytes]] = tuple) -> None:
        """Send the session's last frames (if connected; failures ignored) and close."""
        if self._ws is not None:
            try:
                for frame in farewell():
                    self._ws.send(frame)
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        self.drop()


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, InvalidStatus) and exc.response.status_code >= 500


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus) and exc.response.status_code in (401, 403):
        return f"HTTP {exc.response.status_code}: missing or wrong token (set {TOKEN_ENV} or -P token=...)"
    return f"{type(exc).__name__}: {exc}"
