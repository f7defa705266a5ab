"""Test stand-ins for the official model servers, written from their documented behaviour (not copied):

- StarVlaServer: ginwind/VLA-JEPA@ec8c70f deployment/model_server/tools/websocket_policy_server.py: on connect it
  sends its metadata (msgpack-numpy, openpi's format); then each message is {"type", "payload"} (a flat dict is
  the payload), `infer` answers {"status": "ok", "ok": True, "type": "inference_result", "request_id", "data":
  predict_action(**payload)}, a policy exception answers {"status": "error", "ok": False, ..., "error":
  {"message"}}; `ping` answers ok.
- OftServer: moojink/openvla-oft@213c5ff vla-scripts/deploy.py: FastAPI POST /act with a json-numpy body
  (json_numpy.patch()), the reply JSONResponse(list of actions) or "error"; FastAPI serves /openapi.json.

Both bind 127.0.0.1 on a free port, record what they received, and can misbehave: mode "error" (the policy
raises), "hang" (no reply for `hang_s`), "die" (drop the connection without a reply). Loops are bounded.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import json_numpy
import numpy as np
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from vla_harness.harness import codec


class StarVlaServer:
    def __init__(self, normalized: np.ndarray, mode: str = "ok", hang_s: float = 5.0) -> None:
        self.normalized, self.mode, self.hang_s = normalized, mode, hang_s
        self.received: list[dict] = []
        self._server = serve(self._handler, "127.0.0.1", 0, compression=None, max_size=None)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _handler(self, ws) -> None:
        ws.send(codec.packb({"env": "simpler_env"}))
        for _ in range(10_000):
            try:
                msg = codec.unpackb(ws.recv(timeout=30))
            except (ConnectionClosed, TimeoutError):
                return
            self.received.append(msg)
            if self.mode == "die":
                ws.close()
                return
            if self.mode == "hang":
                time.sleep(self.hang_s)
            ws.send(codec.packb(self._route(msg)))

    def _route(self, msg: dict) -> dict:
        req_id, kind, payload = msg.get("request_id", "default"), msg.get("type", "infer"), msg.get("payload", msg)
        head = {"type": "inference_result", "request_id": req_id}
        if kind == "ping":
            return {"status": "ok", "ok": True, "type": "ping", "request_id": req_id}
        if self.mode == "error" or "batch_images" not in payload:
            return {**head, "status": "error", "ok": False, "error": {"message": "KeyError: 'batch_images'"}}
        return {**head, "status": "ok", "ok": True, "data": {"normalized_actions": self.normalized}}

    def close(self) -> None:
        self._server.shutdown()


class OftServer:
    def __init__(self, actions: list[np.ndarray], mode: str = "ok", hang_s: float = 5.0) -> None:
        self.actions, self.mode, self.hang_s = actions, mode, hang_s
        self.received: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                found = self.path == "/openapi.json"
                self._reply(200 if found else 404, b'{"openapi": "3.1.0", "paths": {"/act": {}}}' if found
                            else b'{"detail": "Not Found"}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append(json_numpy.loads(body))
                if owner.mode == "die":
                    self.connection.close()
                    return
                if owner.mode == "hang":
                    time.sleep(owner.hang_s)
                reply = "error" if owner.mode == "error" else owner.actions
                self._reply(200, json_numpy.dumps(reply).encode())

            def _reply(self, code: int, data: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

