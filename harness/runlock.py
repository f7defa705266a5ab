"""One writer per run directory: an OS lock (flock) on RUN_DIR/run.lock, held by eval/resume for the whole run.

The kernel drops the lock when the holder exits, however it exits (kill -9 included), so a stale lock never blocks a
resume. The file itself stays (removing it would let two writers lock two different files); it names the holder's
PID and host for the one-line refusal. Readers never wait for the lock: `is_held` probes it without blocking.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from vla_harness.harness.errors import UserError

LOCK = "run.lock"

_held: dict[Path, int] = {}  # run dir -> fd of the lock this process holds (flock is per open file, not per process)


class RunLocked(UserError):
    """Another process is writing this run."""


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str


def _key(run_dir: Path) -> Path:
    return Path(run_dir).resolve()


def acquire(run_dir: Path) -> None:
    """Take the run's lock (a no-op if this process holds it already); RunLocked names the holder if it is taken."""
    key = _key(run_dir)
    if key in _held:
        return
    fd = os.open(key / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    if not _try_lock(fd, fcntl.LOCK_EX, tries=5):  # a few tries: a reader's probe holds it for microseconds
        os.close(fd)
        who = read_holder(run_dir)
        by = f"PID {who.pid} on {who.host}" if who else "another process"
        raise RunLocked(f"{run_dir} is being written by {by}: one writer per run; wait for it to end (or stop it), "
                        f"then `vla-harness resume {run_dir}`") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
    _held[key] = fd


def _try_lock(fd: int, mode: int, tries: int = 1) -> bool:
    for i in range(tries):
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if i + 1 < tries:
                time.sleep(0.02)
    return False


def is_held(run_dir: Path) -> bool:
    """Whether some process writes the run now: a probe for a shared lock, dropped at once (readers only)."""
    if holds(run_dir):
        return True
    try:
        fd = os.open(Path(run_dir) / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not _try_lock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)


def release(run_dir: Path) -> None:
    fd = _held.pop(_key(run_dir), None)
    if fd is not None:
        os.close(fd)  # closing the last descriptor of the open file drops the flock


def holds(run_dir: Path) -> bool:
    return _key(run_dir) in _held


def read_holder(run_dir: Path) -> Holder | None:
    """The last process that took the lock, as its file says (it may have ended since: see is_held)."""
    try:
        pid, host = (Path(run_dir) / LOCK).read_text().split()[:2]
        return Holder(int(pid), host)
    except (OSError, ValueError):
        return None
