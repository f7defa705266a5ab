"""A served policy as a harness Policy: a wire (what one server speaks) over a transport (how it is reached).

As openpi-client composes its websocket policy with an action-chunk broker, a client here is composed, never
subclassed: `RemoteClient(wire, transport)`. A wire is a small object with three methods,

    spec(metadata) -> PolicySpec     what the loop renders for it (metadata: the server's handshake reply, or None)
    encode(obs) -> bytes | [bytes]   the frame(s) one decision point sends
    decode(reply) -> actions         the (k, action_dim) chunk in the server's reply; raise BadReply if unusable

and, when its server needs them, the optional hooks below (`Episodic`, `Handshaking`, `PerConnection`,
`Farewell`). `served(Wire)` turns a wire class into the factory a registry line names: its options are the wire's
constructor's plus the transport's (TransportOptions). docs/adding_a_policy.md walks through one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import sys
import typing
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from vla_harness.harness import codec
from vla_harness.harness.errors import ConfigError
from vla_harness.harness.targets import current_options
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.http import HttpRoute, HttpTransport
from vla_harness.policies.clients.transport import (
    OPTION_NAMES,
    RemotePolicyError,
    TransportOptions,
    WebsocketTransport,
)


class BadReply(Exception):
    """Raised by a wire's decode: what is wrong with the reply (the client names the server). `drop`: the connection
    cannot be trusted any more (e.g. a reply out of sequence), so the next request opens a new one."""

    def __init__(self, message: str, drop: bool = False) -> None:
        super().__init__(message)
        self.drop = drop


class Wire(Protocol):
    def spec(self, metadata: Any) -> PolicySpec: ...

    def encode(self, obs: Observation) -> bytes | Sequence[bytes]: ...

    def decode(self, reply: bytes) -> np.ndarray: ...


@runtime_checkable
class Episodic(Protocol):
    """A wire that tells the server about episodes (told of each new task)."""

    def reset(self, task: TaskInfo) -> None: ...


@runtime_checkable
class Handshaking(Protocol):
    """A wire whose server does not speak first (openpi's servers send their metadata on connect; the default)."""

    def handshake(self, channel: Any, timeout_s: float) -> Any: ...


@runtime_checkable
class PerConnection(Protocol):
    """A wire with state per connection (what it already told the server), reset on every new connection."""

    def connected(self, metadata: Any) -> None: ...


@runtime_checkable
class Farewell(Protocol):
    """A wire that says goodbye: the frames sent on close while connected."""

    def farewell(self) -> Sequence[bytes]: ...


class RemoteClient:
    def __init__(self, wire: Wire, transport: WebsocketTransport | HttpTransport, model: str | None = None) -> None:
        self.wire, self.transport, self.model = wire, transport, model
        self._spec: PolicySpec | None = None
        transport.start(self)

    @property
    def url(self) -> str:
        return self.transport.url

    # -- what the transport calls on each new connection --
    def handshake(self, channel: Any, timeout_s: float) -> Any:
        if isinstance(self.wire, Handshaking):
            return self.wire.handshake(channel, timeout_s)
        return codec.unpackb(channel.recv(timeout=timeout_s))

    def connected(self, metadata: Any) -> None:
        spec = identified(self.wire.spec(metadata), metadata, self.model)
        if self._spec is None and not spec.identity:
            print(f"warning: {self.url} sends no metadata naming its model: runs of two checkpoints served there "
                  f"would share the label '{spec.name}'; name it with -P model=NAME (or `report --label`)",
                  file=sys.stderr)
        if self._spec is not None and spec != self._spec:
            raise RemotePolicyError(f"policy server {self.url} now serves {spec}, not {self._spec} as at the start "
                                    "of the run")
        self._spec = spec
        if isinstance(self.wire, PerConnection):
            self.wire.connected(metadata)

    # -- the Policy protocol --
    def spec(self) -> PolicySpec:
        self.transport.stop_if_unreachable()
        return self._spec

    def reset(self, task: TaskInfo) -> None:
        if isinstance(self.wire, Episodic):
            self.wire.reset(task)

    def act(self, obs: Observation) -> np.ndarray:
        reply = self.transport.exchange(lambda: _frames(self.wire.encode(obs)))
        if isinstance(reply, str):
            raise RemotePolicyError(f"server {self.url} replied with an error: {reply}"[:4000])
        try:
            return self.wire.decode(reply)
        except BadReply as exc:
            if exc.drop:
                self.transport.drop()
            raise RemotePolicyError(f"server {self.url} {exc}") from exc

    def close(self) -> None:
        self.transport.close(self.wire.farewell if isinstance(self.wire, Farewell) else tuple)

    def __getattr__(self, name: str) -> Any:
        if name in ("wire", "transport"):
            raise AttributeError(name)
        return getattr(self.wire, name)  # the wire's own attributes (server metadata, timings, options...)


def identified(spec: PolicySpec, metadata: Any, model: str | None) -> PolicySpec:
    """What the served model is, for labels and for never pooling two models in one report column: the served
    policy's own identity when its server sends one (vla-harness serve), else the user's `-P model` and a digest of
    the server's metadata (openpi, starVLA and vla-eval servers describe what they serve there)."""
    if spec.identity:
        return spec
    identity = {"model": str(model)} if model else {}
    if isinstance(metadata, dict) and metadata:
        text = json.dumps(metadata, sort_keys=True, default=str)
        identity["server_metadata"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return dataclasses.replace(spec, identity=identity) if identity else spec


def _frames(encoded: bytes | Sequence[bytes]) -> Sequence[bytes]:
    return (encoded,) if isinstance(encoded, (bytes, bytearray)) else encoded


def served(wire: type, route: HttpRoute | None = None, scheme: str = "ws") -> Callable[..., RemoteClient]:
    """The policy factory for a wire class: `factory(url, **options)` splits the options between the wire's
    constructor and the transport (websocket, or HTTP on `route`) and connects. Its signature lists both, so an
    unknown `-P` option is a one-line error naming the allowed ones and list options are parsed from the CLI."""
    wire_params = _parameters(wire)
    names = [p.name for p in wire_params]
    transport_names = [n for n in OPTION_NAMES if not (route and n == "max_message_bytes") and n not in names]
    label = getattr(wire, "name", wire.__name__)

    def factory(url: str | None = None, model: str | None = None, **options: Any) -> RemoteClient:
        options = current_options(factory, options, f"policy '{label}'")
        unknown = sorted(set(options) - set(names) - set(transport_names))
        if unknown:
            raise ConfigError(f"policy '{label}' takes no option(s) {', '.join(unknown)}; allowed: url, model, "
                              f"{', '.join([*names, *transport_names])}")
        if not url:
            raise ConfigError(f"policy '{label}' needs the server URL: --policy-url {scheme}://HOST:PORT")
        link = TransportOptions(**{k: v for k, v in options.items() if k in transport_names})
        built = wire(**{k: v for k, v in options.items() if k in names})
        transport = HttpTransport(url, link, route) if route else WebsocketTransport(url, link)
        return RemoteClient(built, transport, model)

    defaults = TransportOptions.__dataclass_fields__
    params = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=str | None)
              for n in ("url", "model")]
    params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in wire_params]
    params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=defaults[n].default,
                                 annotation=defaults[n].type) for n in transport_names]
    factory.__signature__ = inspect.Signature(params)
    factory.__annotations__ = {**_hints(wire), "url": str | None, "model": str | None}
    factory.__name__ = factory.__qualname__ = f"{wire.__name__.removesuffix('Wire')}Policy"
    factory.__doc__ = wire.__doc__
    factory.renamed_options = dict(getattr(wire, "renamed_options", {}))
    return factory


def _parameters(wire: type) -> list[inspect.Parameter]:
    if wire.__init__ is object.__init__:
        return []
    return [p for p in inspect.signature(wire).parameters.values() if p.kind is not p.VAR_KEYWORD]


def _hints(wire: type) -> dict[str, Any]:
    """The wire's option annotations, resolved (what list options are parsed by)."""
    if wire.__init__ is object.__init__:
        return {}
    return {k: v for k, v in typing.get_type_hints(wire.__init__).items() if k != "return"}
