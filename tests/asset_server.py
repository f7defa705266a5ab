"""A local HTTP server for the asset download tests: 127.0.0.1 only, a port of its own, stopped after each test.

It serves files like the real hosts do: Hugging Face resolve URLs answer with a redirect that carries the file's
sha256 (X-Linked-Etag) and size, files honour Range requests, and a file can be cut short once or served corrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Files:
    """What the server serves: path -> bytes; per path, a cut (serve only that many bytes once) or a corruption."""

    def __init__(self) -> None:
        self.content: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.corrupt: set[str] = set()
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)


class Handler(BaseHTTPRequestHandler):
    files: Files
    timeout = 10

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        files = self.files
        files.requests.append((self.command, self.path, self.headers.get("Range")))
        if self.path.startswith("/huggingface.co/") and self.path in files.content:  # the Hub: redirect to a "CDN"
            data = files.content[self.path]
            self.send_response(302)
            self.send_header("Location", "/cdn" + self.path)
            self.send_header("X-Linked-Etag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.path.removeprefix("/cdn")
        if path not in files.content:
            self.send_error(404)
            return
        data = files.content[path]
        if path in files.corrupt:
            data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        start = int(self.headers["Range"].split("=")[1].split("-")[0]) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        if body:
            end = files.cut.pop(path, len(data))  # an interrupted transfer: the connection closes early, once
            self.wfile.write(data[start:end])
            self.close_connection = True


@contextlib.contextmanager
def serve():
    """(files, base URL) of a server running until the block ends."""
    files = Files()
    handler = type("BoundHandler", (Handler,), {"files": files})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield files, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def url_path(url: str) -> str:
    """The path the server serves `url` at when it mirrors https://HOST/PATH as /HOST/PATH."""
    return "/" + url.split("://", 1)[1]
