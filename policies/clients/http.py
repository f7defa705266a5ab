"""The HTTP transport: each decision point POSTs one body to `path` and reads the reply; `probe` (a GET) is asked at
the start so an absent server fails before the first episode. Retries, timeouts, token and on_unreachable are the
websocket transport's (policies/clients/transport.py): a refused connection or HTTP 5xx is retried, a read timeout
is not (the server is hung), any other HTTP error is the server's answer (`policy_error`). Standard library only.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable, Sequence

from vla_harness.policies.clients.transport import Link, Lost, RemotePolicyError, Session, TransportOptions


@dataclass(frozen=True)
class HttpRoute:
    """Where a server listens: the POST path for observations, the GET path that shows it is up, the body's type."""

    path: str
    probe: str
    content_type: str = "application/json"


class HttpTransport(Link):
    def __init__(self, url: str, options: TransportOptions, route: HttpRoute) -> None:
        base = (url if "://" in url else f"http://{url}").rstrip("/").removesuffix(route.path)
        super().__init__(base + route.path, options)
        self.probe_url, self.route = base + route.probe, route
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a lab server, never a proxy
        self._auth = {"Authorization": f"Api-Key {options.token}"} if options.token else {}

    def start(self, session: Session) -> None:
        """Fail at the start, not at the first episode (FastAPI, e.g., serves its schema at /openapi.json)."""
        self._send(urllib.request.Request(self.probe_url, headers=self._auth), self.options.connect_timeout_s)
        session.connected(None)

    def exchange(self, frames: Callable[[], Sequence[bytes]]) -> bytes:
        (body,) = frames()  # one body per request
        headers = {"Content-Type": self.route.content_type, **self._auth}
        return self._send(urllib.request.Request(self.url, data=body, headers=headers), self.options.read_timeout_s)

    def _send(self, request: urllib.request.Request, timeout: float) -> bytes:
        def attempt() -> bytes:
            try:
                with self._opener.open(request, timeout=timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise RemotePolicyError(f"server {self.url} answered HTTP {exc.code}: {exc.reason}") from exc
                raise Lost(f"HTTP {exc.code}") from exc
            except OSError as exc:  # URLError, ConnectionError and TimeoutError (socket.timeout) are OSErrors
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    raise self.hung(timeout) from None
                raise Lost(f"{type(reason).__name__}: {reason}") from exc

        return self.retried(attempt)

    def drop(self) -> None:
        pass

    def close(self, farewell: Callable[[], Sequence[bytes]] = tuple) -> None:
        pass
