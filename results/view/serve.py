"""Serve a written viewer on 127.0.0.1 with the standard library: until Ctrl-C, or for a bounded number of seconds."""

from __future__ import annotations

import functools
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request would bury the URL that was printed


def make_server(directory: Path, port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.timeout = 0.5  # handle_request returns at least this often, so the deadline and Ctrl-C are seen
    return server


def serve(directory: Path, port: int = 8000, seconds: float | None = None) -> None:
    """Blocks until Ctrl-C or until `seconds` have passed."""
    with make_server(directory, port) as server:
        print(f"serving {directory} at http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)", flush=True)
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            while deadline is None or time.monotonic() < deadline:
                server.handle_request()
        except KeyboardInterrupt:
            print("stopped", flush=True)
