"""One writer per run directory: an OS lock (flock) on the run directory itself, held by eval/resume for the whole run.

The kernel drops the lock when the holder exits, however it exits (kill -9 included), so a stale lock never blocks a
resume. The lock is on the directory, not on a file in it, so deleting a file (run.lock included) cannot let a second
writer in. RUN_DIR/run.lock names the holder's PID and host for the one-line refusal (and is locked too, for readers
of older versions); when it was deleted, the holder's PID is read from the kernel's lock table (/proc/locks).
Readers never wait for the lock: `is_held` probes it without blocking.
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

_held: dict[Path, tuple[int, int]] = {}  # run dir -> (directory fd, run.lock fd) this process holds (flock is per open
# file, not per process)


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
    dir_fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    file_fd = -1
    try:
        if _try_lock(dir_fd, fcntl.LOCK_EX, tries=5):  # a few tries: a reader's probe holds it for microseconds
            file_fd = os.open(key / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            if _try_lock(file_fd, fcntl.LOCK_EX, tries=5):  # a writer of an older version locks only the file
                os.ftruncate(file_fd, 0)
                os.pwrite(file_fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
                _held[key] = (dir_fd, file_fd)
                return
    except BaseException:
        _close(dir_fd, file_fd)
        raise
    _close(dir_fd, file_fd)
    who = read_holder(run_dir)
    by = f"PID {who.pid} on {who.host}" if who else "another process"
    raise RunLocked(f"{run_dir} is being written by {by}: one writer per run; wait for it to end (or stop it), "
                    f"then `vla-harness resume {run_dir}`")


def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            os.close(fd)


def _try_lock(fd: int, mode: int, tries: int = 1) -> bool:
    for i in range(tries):
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if i + 1 < tries:
                time.sleep(0.02)
    return False


def _probe(path: Path, flags: int) -> bool:
    """Whether some process holds an exclusive flock on `path` (a shared lock, taken and dropped at once)."""
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        return not _try_lock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)


def is_held(run_dir: Path) -> bool:
    """Whether some process writes the run now (readers only)."""
    if holds(run_dir):
        return True
    return _probe(Path(run_dir), os.O_RDONLY | os.O_DIRECTORY) or _probe(Path(run_dir) / LOCK, os.O_RDONLY)


def release(run_dir: Path) -> None:
    fds = _held.pop(_key(run_dir), None)
    if fds is not None:
        _close(*fds)  # closing the last descriptor of an open file drops its flock


def holds(run_dir: Path) -> bool:
    return _key(run_dir) in _held


def read_holder(run_dir: Path) -> Holder | None:
    """The last process that took the lock, as run.lock says (it may have ended since: see is_held); if run.lock was
    deleted, the process the kernel lists as holding the directory's lock."""
    try:
        pid, host = (Path(run_dir) / LOCK).read_text().split()[:2]
        return Holder(int(pid), host)
    except (OSError, ValueError):
        pid = _kernel_holder(Path(run_dir))
        return Holder(pid, socket.gethostname()) if pid else None


def _kernel_holder(path: Path) -> int | None:
    """The PID /proc/locks gives for a flock on `path` (Linux; None elsewhere or when none is listed)."""
    try:
        st = os.stat(path)
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == inode and fields[4].isdigit():
            return int(fields[4])
    return None
