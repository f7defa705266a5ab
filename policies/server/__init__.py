"""openpi-compatible websocket policy server: codec (msgpack + numpy), micro-batcher, policy host, app."""

from vla_harness.policies.server.app import PolicyServer, ServerConfig, ServerThread

__all__ = ["PolicyServer", "ServerConfig", "ServerThread"]
