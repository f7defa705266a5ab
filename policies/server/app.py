"""The websocket policy server, speaking openpi's protocol (`openpi_client.websocket_client_policy` works unchanged).

On connect the server sends a metadata map (the policy's spec, so harness clients render only what it reads).
Each binary message is one msgpack request map (see host.py); the reply is a msgpack map with `actions` and
`server_timing`. Anything wrong with a request (not binary, not msgpack, not a valid observation) or raised by the
policy comes back as a text message and the connection stays open. Messages over `max_message_bytes` are refused
by the websocket layer (close code 1009, reason in the close frame). `GET /healthz` answers "OK"; `GET /stats`
gives batching counters as JSON. With a token, websocket connections need `Authorization: Api-Key TOKEN` (what
openpi's client sends for `api_key`) or `Bearer TOKEN`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import http
import json
import logging
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

import numpy as np
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from vla_harness.harness import codec
from vla_harness.harness.protocols import Policy
from vla_harness.policies.server.batcher import MicroBatcher
from vla_harness.policies.server.host import PolicyHost, RequestError
from vla_harness.policies.wire import openpi_wire
from vla_harness.policies.wire.openpi_libero import WIRE_NAME

PROTOCOL_VERSION = 1
log = logging.getLogger("vla_harness.server")


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_batch: int = 8
    max_wait_ms: float = 5.0
    max_message_bytes: int = 16 * 2**20
    instances: str = "auto"


class PolicyServer:
    def __init__(self, factory: Callable[[], Policy], config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.host = PolicyHost(factory, self.config.instances)
        self.batcher = MicroBatcher(self.host.run_batch, self.config.max_batch, self.config.max_wait_ms,
                                    waiters=lambda: self.connections)
        self.port: int | None = None
        self.connections = 0

    def metadata(self) -> dict[str, Any]:
        spec = dataclasses.asdict(self.host.spec)
        accepts = {"vla-harness": "the harness request keys (docs/remote.md), in the policy's conventions (spec)",
                   WIRE_NAME: openpi_wire.describe(self.host.spec)}
        return {"server": "vla-harness", "protocol_version": PROTOCOL_VERSION, "policy": spec["name"], "spec": spec,
                "accepts": accepts,
                "instances": self.host.mode, "max_batch": self.config.max_batch,
                "max_wait_ms": self.config.max_wait_ms, "max_message_bytes": self.config.max_message_bytes}

    async def serve(self, stop: asyncio.Event, ready: Callable[[int], None] | None = None) -> None:
        """Serve until `stop` is set; `ready(port)` is called once the socket listens."""
        self.batcher.start()
        try:
            async with serve(self._handler, self.config.host, self.config.port, compression=None,
                             max_size=self.config.max_message_bytes, process_request=self._process_request,
                             ping_interval=20, ping_timeout=60) as server:
                self.port = server.sockets[0].getsockname()[1]
                if ready is not None:
                    ready(self.port)
                await stop.wait()
                await self.batcher.close()  # first: handlers waiting on a (maybe hung) batch must return
        finally:
            await self.batcher.close()
            self.host.close()

    def _process_request(self, connection: ServerConnection, request) -> Any:
        path = urlsplit(request.path).path
        if path == "/healthz":
            return connection.respond(http.HTTPStatus.OK, "OK\n")
        if self.config.token and not _authorized(request.headers.get("Authorization"), self.config.token):
            return connection.respond(http.HTTPStatus.UNAUTHORIZED, "missing or wrong token\n")
        if path == "/stats":
            stats = {**self.batcher.stats.as_dict(), "connections": self.connections,
                     "busy_s": round(self.batcher.busy_s(), 3)}
            response = connection.respond(http.HTTPStatus.OK, json.dumps(stats) + "\n")
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        session = self.host.open_session()
        self.connections += 1
        prev_total_ms = None
        try:
            await ws.send(codec.packb(self.metadata()))
            while True:
                message = await ws.recv()
                started = time.monotonic()
                reply = await self._answer(message, session, prev_total_ms)
                await ws.send(reply)
                prev_total_ms = (time.monotonic() - started) * 1000
        except ConnectionClosed:
            pass
        finally:
            self.connections -= 1
            if not self.batcher.closed:  # instances are only touched in the policy thread; nothing waits on this
                self.batcher.thread.call(self.host.close_session, session)

    async def _answer(self, message: Any, session, prev_total_ms: float | None) -> bytes | str:
        """The reply to one request: packed actions, or error text (the connection stays usable)."""
        try:
            request = self.host.parse(codec.unpackb(message), session)
        except (codec.CodecError, RequestError) as exc:
            return f"malformed request: {exc}"
        except Exception as exc:  # noqa: BLE001 - no input may take the connection (or the server) down
            log.exception("unexpected error while parsing a request")
            return f"malformed request: {type(exc).__name__}: {exc}"[:2000]
        result, timing = await self.batcher.submit(request)
        if isinstance(result, BaseException):
            return _policy_error_text(result)
        try:
            actions = np.asarray(result)
            if actions.dtype.kind not in "biuf":
                raise TypeError(f"actions have dtype {actions.dtype}")
            if prev_total_ms is not None:
                timing["prev_total_ms"] = prev_total_ms
            return codec.packb({"actions": actions.astype(np.float32, copy=False), "server_timing": timing})
        except (TypeError, ValueError) as exc:
            return f"policy error: cannot send the policy's output: {exc}"


def _authorized(header: str | None, token: str) -> bool:
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("api-key", "bearer"):
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def _policy_error_text(exc: BaseException) -> str:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=8))
    return f"policy error: {type(exc).__name__}: {exc}\n{tb}"[:8000]


class ServerThread:
    """Runs a PolicyServer on its own event loop in a background thread (tests, benchmarks, notebooks)."""

    def __init__(self, server: PolicyServer) -> None:
        self.server = server
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="policy-server", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://{self.server.config.host}:{self.server.port}"

    def start(self, timeout: float = 30.0) -> "ServerThread":
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("policy server did not start")
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            await self.server.serve(self._stop, ready=lambda port: self._ready.set())

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - re-raised in start()
            self._error = exc
        finally:
            self._ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> "ServerThread":
        return self if self._thread.is_alive() else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
