"""A local Ray of a driver killed with SIGKILL leaves two agents for 60 s (measured, docs/ray.md): the next local start
ends them, and only them (harness/runners/ray_leftovers.py). Checked here without Ray: stand-in processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from vla_harness.harness.runners.ray_leftovers import MARKER, clean_leftovers, mark_session

HOLD = "import sys, time; f = open(sys.argv[1], 'a'); print('open', flush=True); time.sleep(60)"


def _holder(script_dir, log, name: str) -> subprocess.Popen:
    """A process holding `log` open; run as a script under a `ray/` folder it looks like one of Ray's."""
    script = script_dir / name
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(HOLD)
    proc = subprocess.Popen([sys.executable, str(script), str(log)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


def _session(temp, name: str, driver: dict | None):
    session = temp / name
    (session / "logs").mkdir(parents=True)
    if driver is not None:
        (session / MARKER).write_text(json.dumps(driver))
    return session


def test_the_next_start_ends_only_ray_processes_of_our_sessions_whose_driver_is_dead(tmp_path):
    temp = tmp_path / "ray"
    dead = _session(temp, "session_a_1", {"pid": 2 ** 22 + 12345, "start": "1"})  # no such process
    live = _session(temp, "session_b_2", None)
    mark_session(live)  # this process is its driver: alive
    foreign = _session(temp, "session_c_3", None)  # a Ray this harness did not start
    procs = {
        "agent of the dead session": _holder(tmp_path / "site" / "ray", dead / "logs" / "agent.log", "agent.py"),
        "a user's tail of its log": _holder(tmp_path / "user", dead / "logs" / "agent.log", "tail.py"),
        "agent of a live session": _holder(tmp_path / "site" / "ray", live / "logs" / "agent.log", "agent2.py"),
        "agent of a foreign session": _holder(tmp_path / "site" / "ray", foreign / "logs" / "x.log", "agent3.py"),
    }
    try:
        killed = clean_leftovers(temp)
        time.sleep(0.2)
        gone = {what for what, p in procs.items() if p.poll() is not None}
        assert killed == [procs["agent of the dead session"].pid] and gone == {"agent of the dead session"}
        assert not (dead / MARKER).exists() and (live / MARKER).exists()  # a dead session is cleaned once
        assert clean_leftovers(temp) == []
    finally:
        for p in procs.values():
            p.kill()
            p.wait()


def test_marking_names_this_driver():
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        mark_session(d)
        marker = json.loads(open(os.path.join(d, MARKER)).read())
        assert marker["pid"] == os.getpid() and marker["start"]
