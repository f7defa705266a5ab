"""`vla-harness serve --policy NAME --port 8000`: serve any registered policy over openpi's websocket protocol.

`--policy` also takes `package.module:Factory`, to serve a policy class from this Python environment without
registering it. The server binds 127.0.0.1 unless `--host` says otherwise; `--token` (or VLA_HARNESS_TOKEN)
requires `Authorization: Api-Key TOKEN` from clients, and a non-loopback host needs one (or `--insecure`).
See docs/remote.md.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import sys
from functools import partial

from vla_harness.harness.config import ConfigError, parse_kv
from vla_harness.harness.errors import UserError
from vla_harness.harness.targets import load_target


class ServeError(UserError, RuntimeError):
    pass


def policy_factory(name: str, options: dict):
    """A zero-argument factory for the named policy (registry name or module:attr)."""
    from vla_harness.cli.resolve import policy_target
    from vla_harness.harness.targets import build

    if name == "remote":
        raise ServeError("serving 'remote' would only proxy another server; serve the policy itself")
    target = policy_target(name)
    try:
        load_target(target)
    except ConfigError as exc:
        raise ServeError(f"cannot import policy '{name}': {exc}") from exc
    return partial(build, "policy", name, target, options)


def run(args: argparse.Namespace) -> int:
    from vla_harness.policies.server import PolicyServer, ServerConfig

    options = parse_kv(args.policy_opt, "-P/--policy-opt")
    if args.checkpoint:
        options["checkpoint"] = args.checkpoint
    token = args.token or os.environ.get("VLA_HARNESS_TOKEN") or None
    if not _loopback(args.host) and not token:
        if not args.insecure:
            raise ServeError(f"refusing to serve on {args.host} without a token: anyone who can reach the port could "
                             "use the policy; pass --token (or set VLA_HARNESS_TOKEN), or --insecure to allow it")
        print(f"warning: serving on {args.host} without --token (--insecure): anyone who can reach this port can use "
              "the policy", file=sys.stderr)
    config = ServerConfig(host=args.host, port=args.port, token=token, max_batch=args.max_batch,
                          max_wait_ms=args.max_wait_ms, max_message_bytes=int(args.max_message_mb * 2**20),
                          instances=args.instances)
    if config.max_batch < 1 or config.max_wait_ms < 0:
        raise ServeError("--max-batch must be >= 1 and --max-wait-ms >= 0")
    server = PolicyServer(policy_factory(args.policy, options), config)
    try:
        asyncio.run(_serve(server))
    except OSError as exc:
        raise ServeError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _serve(server) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def ready(port: int) -> None:
        cfg = server.config
        print(f"serving '{server.host.spec.name}' on ws://{cfg.host}:{port} (instances={server.host.mode}, "
              f"max_batch={cfg.max_batch}, max_wait_ms={cfg.max_wait_ms:g}); health: http://{cfg.host}:{port}/healthz",
              flush=True)

    await server.serve(stop, ready=ready)
    print("server stopped", file=sys.stderr, flush=True)


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve a policy over openpi's websocket protocol (for --policy remote)")
    p.add_argument("--policy", required=True, help="registered policy name, or module:Factory")
    p.add_argument("--checkpoint", help="policy checkpoint path (sets policy option checkpoint)")
    p.add_argument("-P", "--policy-opt", action="append", default=[], metavar="K=V", help="policy constructor option")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (0 picks a free one; the line printed names it)")
    p.add_argument("--token", help="shared token clients must send (default: $VLA_HARNESS_TOKEN, else none)")
    p.add_argument("--insecure", action="store_true",
                   help="allow a non-loopback --host without a token (otherwise refused)")
    p.add_argument("--max-batch", type=int, default=8, help="most requests run as one batch (1 disables batching)")
    p.add_argument("--max-wait-ms", type=float, default=5.0, help="longest a request waits for others to batch with")
    p.add_argument("--max-message-mb", type=float, default=16.0, help="larger requests are refused")
    p.add_argument("--instances", choices=["auto", "shared", "session"], default="auto",
                   help="one policy for all connections (shared; needed to batch), one per connection (session), "
                        "or shared when the policy has act_batch (auto)")
    p.set_defaults(func=run)
