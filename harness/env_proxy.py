"""An env that runs in a child process of another Python environment (harness/env_stack.py), for the worker exactly
like an in-process one: same Env methods, same hooks. A child that dies, hangs or cannot start is an env error (never
a failure; `resume` re-runs it) whose message ends with the child's last stderr lines.

The child's seconds are reported with every answer; the rest of each call's time is the wire's (pipe, msgpack,
process switch). Both, summed over the episode, go into the record's time split (`env_child_s`, `env_wire_s`:
process_times()); the step info names the process (`env_process`)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import time
from typing import Any

import numpy as np

from vla_harness.harness.env_stack import EnvStack
from vla_harness.harness.env_wire import (
    WIRE_VERSION,
    WireClosed,
    observation_from_wire,
    read_frame,
    step_from_wire,
    write_frame,
)
from vla_harness.harness.errors import EnvFault, EpisodeError
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

STDERR_LINES = 12


class ChildEnvError(EpisodeError):
    """An error the child reported, with the kind it was recorded under there."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ChildEnv:
    def __init__(self, stack: EnvStack, factory: str, **kwargs: Any) -> None:
        python = stack.require()
        self.stack, self.proc = stack, None
        self._log = tempfile.TemporaryFile(prefix=f"vla-{stack.name}-", suffix=".stderr")
        self.proc = subprocess.Popen([str(python), "-m", "vla_harness.harness.env_child"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log, env={**os.environ, **stack.env_vars})
        self.wire_s = 0.0
        self.child_s = 0.0
        try:
            info = self._call({"v": WIRE_VERSION, "op": "hello", "factory": factory, "kwargs": kwargs},
                              stack.start_timeout_s)
        except BaseException:
            self.close()
            raise
        self.label = f"{stack.name} pid {info['pid']} (python {info['python']})"

    # -- the Env protocol --
    def reset(self, spec: EpisodeSpec) -> None:
        self.wire_s = self.child_s = 0.0
        self._call({"op": "reset", "spec": dataclasses.asdict(spec)})

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        return observation_from_wire(self._call({"op": "observe", "cameras": list(cameras), "size": size,
                                                 "state_keys": list(state_keys)}))

    def step(self, action: np.ndarray) -> StepResult:
        result = step_from_wire(self._call({"op": "step", "action": np.asarray(action, dtype=np.float32)}))
        result.info.update(env_process=self.label)
        return result

    def process_times(self) -> tuple[float, float]:
        return self.child_s, self.wire_s

    def privileged_state(self) -> dict[str, Any]:
        return self._call({"op": "privileged"})

    def video_frame(self, camera: str, size: int) -> np.ndarray:
        return self._call({"op": "video_frame", "camera": camera, "size": size})

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                write_frame(proc.stdin.fileno(), {"op": "close"})
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            self._log.close()

    # -- the wire --
    def _call(self, request: dict[str, Any], timeout_s: float | None = None) -> Any:
        if self.proc is None:
            raise EnvFault(f"the {self.stack.name} env child was closed")
        op, t0 = request["op"], time.perf_counter()
        try:
            write_frame(self.proc.stdin.fileno(), request)
            reply = read_frame(self.proc.stdout.fileno(), timeout_s or self.stack.op_timeout_s)
        except TimeoutError:
            raise self._lost(f"did not answer '{op}' within {timeout_s or self.stack.op_timeout_s:.0f} s") from None
        except (WireClosed, BrokenPipeError, OSError) as exc:
            raise self._lost(f"went away during '{op}' ({type(exc).__name__})") from None
        spent = time.perf_counter() - t0
        self.child_s += reply.get("t", 0.0)
        self.wire_s += max(0.0, spent - reply.get("t", 0.0))
        if not reply.get("ok"):
            raise ChildEnvError(reply.get("kind", "env_error"), reply.get("error", "unknown error"))
        return reply.get("result")

    def _lost(self, what: str) -> EnvFault:
        """Kill the child (it may be hung) and describe how it ended, with its last stderr lines."""
        proc, self.proc = self.proc, None
        proc.kill()
        code = proc.wait()
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        tail = self._stderr_tail()
        self._log.close()
        return EnvFault(f"the {self.stack.name} env child (pid {proc.pid}) {what}; {how}"
                        + (f"; its last stderr lines: {tail}" if tail else ""))

    def _stderr_tail(self) -> str:
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - 16384))
        lines = self._log.read().decode(errors="replace").splitlines()
        return " | ".join(line.strip() for line in lines[-STDERR_LINES:] if line.strip())
