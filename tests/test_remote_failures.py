"""A policy server that dies or hangs mid-run: the episodes in flight end with `policy_unreachable` (never counted
as failures), the run goes on or stops per on_unreachable, and `resume` re-runs exactly those episodes."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from vla_harness.cli.main import main
from vla_harness.harness.store import read_records
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.server import PolicyServer, ServerConfig, ServerThread

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-P", "reconnect_attempts=1", "-P", "reconnect_backoff_s=0.05", "-P", "connect_timeout_s=2"]
# fake bench: 3 episodes of 12 steps; chunks of 4 zero actions never reach the target: 3 requests per episode
RUN = ["--bench", "fake", "--tasks", "0", "--trials", "3", "--max-steps", "12", "--no-progress"]


class TripwirePolicy:
    """Zero chunks of 4; request number `trip` (counted per server process) touches `marker` and then blocks,
    as if computing, until `release` exists (or for good): the moment to kill or time out the server."""

    calls = 0

    def __init__(self, trip: int = 0, marker: str = "", release: str = "") -> None:
        self.trip, self.marker, self.release = int(trip), marker, release

    def spec(self) -> PolicySpec:
        return PolicySpec(name="tripwire", cameras=("agentview",), image_size=16, replan_steps=4)

    def reset(self, task: TaskInfo) -> None:
        pass

    def act(self, obs: Observation) -> np.ndarray:
        TripwirePolicy.calls += 1
        if TripwirePolicy.calls == self.trip:
            Path(self.marker).touch()
            while not (self.release and Path(self.release).exists()):
                time.sleep(0.02)
        return np.zeros((4, 7), np.float32)

    def close(self) -> None:
        pass


def _start_server(port: int, *options: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "vla_harness", "serve", "--policy",
                             "tests.test_remote_failures:TripwirePolicy", "--port", str(port), *options],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    match = re.search(r"on ws://127\.0\.0\.1:(\d+) ", line)
    assert match, f"server did not start: {line}{proc.stdout.read() if proc.poll() is not None else ''}"
    return proc, int(match.group(1))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_server_killed_mid_episode_then_resume_reruns_exactly_those(tmp_path):
    marker = tmp_path / "in-flight"
    proc, port = _start_server(0, "-P", "trip=5", "-P", f"marker={marker}")  # 5th request: 2nd episode, 2nd chunk
    try:
        def kill_when_in_flight() -> None:
            _wait_for(marker)
            proc.send_signal(signal.SIGKILL)

        killer = threading.Thread(target=kill_when_in_flight, daemon=True)
        killer.start()
        code = main(["eval", *RUN, "--policy", "remote", "--policy-url", f"ws://127.0.0.1:{port}", *FAST,
                     "--out", str(tmp_path), "--name", "run"])
        killer.join(10)
        assert code == 0  # on_unreachable=continue (the default): the run goes on and ends normally
        records = read_records(tmp_path / "run")
        assert [(r.success, r.error.kind if r.error else None) for r in records] == \
            [(False, None), (None, "policy_unreachable"), (None, "policy_unreachable")]
        assert records[1].steps == 4  # one chunk executed before the server died
        errored = {r.key for r in records if r.error}
    finally:
        _stop(proc)
    proc, _ = _start_server(port)  # the same URL as in the run's manifest
    try:
        assert main(["resume", str(tmp_path / "run"), "--no-progress"]) == 0
    finally:
        _stop(proc)
    rerun = read_records(tmp_path / "run")[3:]
    assert {r.key for r in rerun} == errored and all(r.error is None and r.attempt == 2 for r in rerun)


def test_hung_server_times_out_and_stop_ends_the_run_cleanly(tmp_path, capsys):
    marker, release = tmp_path / "in-flight", tmp_path / "release"
    server = ServerThread(PolicyServer(lambda: TripwirePolicy(trip=TripwirePolicy.calls + 5, marker=str(marker),
                                                              release=str(release)),
                                       ServerConfig(port=0, instances="shared")))
    with server:
        port = server.server.port
        code = main(["eval", *RUN, "--policy", "remote", "--policy-url", server.url, *FAST, "-P", "read_timeout_s=1",
                     "-P", "on_unreachable=stop", "--out", str(tmp_path), "--name", "run"])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and err[-1].startswith("error: policy server") and "on_unreachable=stop" in err[-1]
        records = read_records(tmp_path / "run")  # the in-flight episode is recorded, the next one never started
        assert [(r.success, r.error.kind if r.error else None) for r in records] == \
            [(False, None), (None, "policy_unreachable")]
        assert "no reply within 1 s" in records[1].error.message
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.read() == b"OK\n"  # the event loop still answers while the policy hangs
        release.touch()
        assert main(["resume", str(tmp_path / "run"), "--no-progress"]) == 0
    records = read_records(tmp_path / "run")
    assert len(records) == 4 and records[2].key == records[1].key and records[2].attempt == 2
    assert all(r.error is None for r in records[2:])
