"""The child side of harness/env_proxy.py: `python -m harness.env_child`, run by another Python environment's
interpreter. It builds one env from a `module:attr` factory and answers requests on stdin/stdout (harness/env_wire.py);
anything the simulator prints goes to stderr, which the parent keeps for its error messages."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable

from vla_harness.harness.env_wire import (
    WIRE_VERSION,
    WireClosed,
    observation_to_wire,
    read_frame,
    step_to_wire,
    write_frame,
)
from vla_harness.harness.errors import PolicyFault, kind_of
from vla_harness.harness.protocols import PrivilegedStateSource, VideoFrameSource
from vla_harness.harness.types import EpisodeSpec


def _ops(env) -> dict[str, Callable[[dict[str, Any]], Any]]:
    def privileged(_req):
        if not isinstance(env, PrivilegedStateSource):
            raise PolicyFault(f"{type(env).__name__} offers no privileged_state() hook")
        return env.privileged_state()

    def video_frame(req):
        if isinstance(env, VideoFrameSource):
            return env.video_frame(req["camera"], req["size"])
        return env.observe((req["camera"],), req["size"]).images[req["camera"]]

    return {"reset": lambda req: env.reset(EpisodeSpec.from_dict(req["spec"])),
            "observe": lambda req: observation_to_wire(env.observe(tuple(req["cameras"]), req["size"],
                                                                   tuple(req["state_keys"]))),
            "step": lambda req: step_to_wire(env.step(req["action"])),
            "privileged": privileged, "video_frame": video_frame}


def _answer(out: int, fn: Callable[[], Any]) -> None:
    t0 = time.perf_counter()
    try:
        result = fn()
        reply = {"ok": True, "result": result}
    except Exception as exc:  # noqa: BLE001 - every env failure goes back to the parent with its kind
        reply = {"ok": False, "kind": kind_of(exc, "env_error"), "error": f"{type(exc).__name__}: {exc}"[:2000]}
    reply["t"] = time.perf_counter() - t0
    write_frame(out, reply)


def _build(req: dict[str, Any]):
    from vla_harness.harness.targets import load_target

    if req.get("v") != WIRE_VERSION:
        raise RuntimeError(f"wire version {req.get('v')} from the worker, this child speaks {WIRE_VERSION}: "
                           "install the same vla-harness into both environments")
    return load_target(req["factory"])(**req["kwargs"])


def serve(inp: int, out: int) -> None:
    hello = read_frame(inp)
    env = None

    def build():
        nonlocal env
        env = _build(hello)
        return {"pid": os.getpid(), "python": sys.version.split()[0]}

    _answer(out, build)
    if env is None:
        return
    ops = _ops(env)
    try:
        while True:
            req = read_frame(inp)
            if req.get("op") == "close":
                break
            _answer(out, lambda req=req: ops[req["op"]](req))
    except WireClosed:
        pass  # the worker went away: nothing to answer
    finally:
        env.close()


def main() -> None:
    out = os.dup(1)
    os.dup2(2, 1)  # whatever the simulator prints must not reach the wire
    sys.stdout = sys.stderr
    serve(0, out)


if __name__ == "__main__":
    main()
