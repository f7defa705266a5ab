"""What a local Ray leaves when its driver is killed with SIGKILL, and how the next local start removes it.

Measured (Ray 2.60, this machine, `eval --runner ray --workers 1` killed mid-run, docs/ray.md): GCS, raylet, monitor,
log monitor and the workers go at once; the dashboard agent and the runtime-env agent (~170 MB together) stay 60 s.
They see the raylet die at once, then report its death to the GCS, which is dead too, with a hard-coded 60 s timeout
(ray/_private/utils.py `publish_error_to_driver`, called from ray/_private/process_watcher.py).

So every local Ray this harness starts is marked (a file in its session folder naming the driver's PID and start
time), and the next local start ends the processes still holding files in the session folder of a marked session
whose driver is gone. Only this user's Ray processes, only sessions this harness started, only when their driver is
dead: a Ray instance of someone else, a live run, or a user's `tail -f` of a session log is never touched. Linux
only (/proc); elsewhere nothing is done.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

MARKER = "vla-harness-driver.json"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (stat field 22): with the PID, who it is."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def mark_session(session_dir: str | Path) -> None:
    """Mark a local Ray session as started by this process (the driver)."""
    try:
        Path(session_dir, MARKER).write_text(json.dumps({"pid": os.getpid(), "start": _start_time(os.getpid())}))
    except OSError:
        pass  # a read-only temp folder: no cleanup next time, nothing else changes


def _driver_gone(marker: Path) -> bool:
    try:
        driver = json.loads(marker.read_text())
        return _start_time(int(driver["pid"])) != driver["start"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # a marker we cannot read: leave its session alone


def _is_ray(pid: int) -> bool:
    """A Ray process by its command line (`ray::...`, raylet, gcs_server, a script of the ray package): never a user's
    shell or editor that happens to have a session's log open."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False
    return (argv[0].startswith("ray::") or os.path.basename(argv[0]) in ("raylet", "gcs_server")
            or any(a.endswith(".py") and "/ray/" in a for a in argv[1:3]))


def _holds_file_in(pid: int, folders: tuple[str, ...]) -> bool:
    try:
        targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(t.startswith(folders) for t in targets)


def clean_leftovers(temp_dir: str | Path) -> list[int]:
    """End the processes left by marked sessions under Ray's temp folder whose driver is dead; their PIDs."""
    if not Path("/proc/self/stat").exists():
        return []
    dead = [m for m in Path(temp_dir).glob(f"session_*/{MARKER}") if _driver_gone(m)]
    if not dead:
        return []
    folders = tuple(f"{m.parent.resolve()}/" for m in dead)
    uid, killed = os.getuid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            mine = entry.stat().st_uid == uid
        except OSError:
            continue
        if mine and _is_ray(int(entry.name)) and _holds_file_in(int(entry.name), folders):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except OSError:
                pass
    for marker in dead:
        marker.unlink(missing_ok=True)
    return killed
