"""The wire between a worker and an env running in a child process of another Python environment (harness/env_proxy.py,
harness/env_child.py): length-prefixed msgpack frames (harness/codec.py: numpy arrays as raw bytes, no pickle).

A request is {"v": WIRE_VERSION, "op": name, ...arguments}; a reply is {"ok": True, "result": ..., "t": seconds the
child spent} or {"ok": False, "kind": error kind (harness/errors.py), "error": "Type: message", "t": ...}. Ops: hello
(build the env), reset, observe, step, privileged, video_frame, close.
"""

from __future__ import annotations

import os
import select
import struct
import time
from typing import Any

from vla_harness.harness import codec
from vla_harness.harness.types import Observation, StepResult

WIRE_VERSION = 1
_HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 30


class WireClosed(EOFError):
    """The other side closed the pipe (a child that died) or did not answer in time."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    data = codec.packb(message)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    parts, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 22))
        if not chunk:
            raise WireClosed("pipe closed")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_frame(fd: int, timeout_s: float | None = None) -> dict[str, Any]:
    """One message; TimeoutError when none arrives within timeout_s, WireClosed when the pipe closes."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_FRAME:
        raise codec.CodecError(f"frame of {size} bytes is larger than {MAX_FRAME}")
    message = codec.unpackb(_read_exact(fd, size, deadline))
    if not isinstance(message, dict):
        raise codec.CodecError(f"a message is a map, got {type(message).__name__}")
    return message


def observation_to_wire(obs: Observation) -> dict[str, Any]:
    return {"images": obs.images, "state": obs.state, "instruction": obs.instruction, "step": obs.step}


def observation_from_wire(d: dict[str, Any]) -> Observation:
    return Observation(images=dict(d["images"]), state=dict(d["state"]), instruction=d["instruction"], step=d["step"])


def step_to_wire(result: StepResult) -> dict[str, Any]:
    return {"success": bool(result.success), "reward": float(result.reward), "info": result.info}


def step_from_wire(d: dict[str, Any]) -> StepResult:
    return StepResult(success=d["success"], reward=d["reward"], info=dict(d["info"]))
