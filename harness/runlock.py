"""One writer per run directory: an OS lock (flock) on RUN_DIR/run.lock, held by eval/resume for the whole run.

The kernel drops the lock when the holder exits, however it exits (kill -9 included), so a stale lock never blocks a
resume. The file itself stays (removing it would let two writers lock two different files); it names the holder's
PID and host for the one-line refusal and for readers, who never take the lock.
"""

from __future__ import annotations

import fcntl
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError

LOCK = "run.lock"

_held: dict[Path, int] = {}  # run dir -> fd of the lock this process holds (flock is per open file, not per process)


class RunLocked(UserError):
    """Another process is writing this run."""


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str

    @property
    def alive(self) -> bool | None:
        """Whether the holder process still exists (None: it runs on another host, so this cannot tell)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def _key(run_dir: Path) -> Path:
    return Path(run_dir).resolve()


def acquire(run_dir: Path) -> None:
    """Take the run's lock (a no-op if this process holds it already); RunLocked names the holder if it is taken."""
    key = _key(run_dir)
    if key in _held:
        return
    fd = os.open(key / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        who = read_holder(run_dir)
        by = f"PID {who.pid} on {who.host}" if who else "another process"
        raise RunLocked(f"{run_dir} is being written by {by}: one writer per run; wait for it to end (or stop it), "
                        f"then `vla-harness resume {run_dir}`") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
    _held[key] = fd


def release(run_dir: Path) -> None:
    fd = _held.pop(_key(run_dir), None)
    if fd is not None:
        os.close(fd)  # closing the last descriptor of the open file drops the flock


def holds(run_dir: Path) -> bool:
    return _key(run_dir) in _held


def read_holder(run_dir: Path) -> Holder | None:
    """The last process that took the lock, as its file says (it may have ended since: see Holder.alive)."""
    try:
        pid, host = (Path(run_dir) / LOCK).read_text().split()[:2]
        return Holder(int(pid), host)
    except (OSError, ValueError):
        return None
