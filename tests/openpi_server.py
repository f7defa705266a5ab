"""A stand-in for openpi's policy server, written from its documented behaviour (Physical-Intelligence/openpi@15a9616a
src/openpi/serving/websocket_policy_server.py and packages/openpi-client/.../websocket_client_policy.py): on connect
it sends its metadata, msgpack-numpy packed; every binary message is one observation dict; the reply is a packed dict
with `actions` (and `server_timing`); an exception goes back as a text frame. It records what it received and replies
with a fixed chunk. Binds 127.0.0.1 on a free port; every wait is bounded."""

from __future__ import annotations

import threading

import numpy as np
from openpi_client import msgpack_numpy
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class OpenpiStandIn:
    def __init__(self, chunk: np.ndarray, metadata: dict | None = None) -> None:
        self.chunk, self.metadata = np.asarray(chunk), metadata or {}
        self.received: list[dict] = []
        self._server = serve(self._handler, "127.0.0.1", 0, compression=None, max_size=None)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _handler(self, ws: ServerConnection) -> None:
        ws.send(msgpack_numpy.packb(self.metadata))
        while True:
            try:
                message = ws.recv(timeout=60)
            except (ConnectionClosed, TimeoutError):
                return
            obs = msgpack_numpy.unpackb(message)
            self.received.append(obs)
            ws.send(msgpack_numpy.packb({"actions": self.chunk, "server_timing": {"infer_ms": 0.0}}))

    def __enter__(self) -> "OpenpiStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
