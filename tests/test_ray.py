"""Ray runner: same records as the local runner, a worker killed mid-run, a stuck worker, a remote policy that
stops the run, a real LIBERO episode.

One local Ray instance serves the whole module (its start-up is most of this file's time).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.cli.main import main
from vla_harness.cli.resolve import evaluate
from vla_harness.harness.config import ConfigError, RunConfig
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.runners.ray_queue import WorkQueue
from vla_harness.harness.runners.ray_runner import RayOptions, check_reachable, cluster_address, connect
from vla_harness.harness.store import read_records


def ray_children() -> list:
    import psutil

    names = ("raylet", "gcs_server", "ray::")
    procs = []
    for p in psutil.Process().children(recursive=True):
        try:
            if any(n in " ".join(p.cmdline()) for n in names):
                procs.append(p)
        except psutil.NoSuchProcess:
            pass
    return procs


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray instance (2 CPUs) for this module; run_ray reuses it and leaves it running."""
    import ray

    assert connect(RayOptions(workers=2))
    yield
    ray.shutdown()
    deadline = time.time() + 15
    while ray_children() and time.time() < deadline:
        time.sleep(0.2)
    assert not ray_children(), "Ray left processes behind"


def run(tmp_path: Path, name: str, **cfg) -> list:
    base = dict(bench="fake", policy="zero", workers=2, out=str(tmp_path), name=name)
    return evaluate(RunConfig(**{**base, **cfg}), progress=False).records


def outcome(records) -> dict:
    return {r.key: (r.success, r.steps, r.error) for r in records}


def test_ray_records_match_local_runner(ray_session, tmp_path):
    cfg = dict(policy="random", tasks=[0, 1, 2], trials=3)
    local = run(tmp_path, "local", runner="local", **cfg)
    remote = run(tmp_path, "ray", runner="ray", **cfg)
    assert len(remote) == len(local) == 9
    assert outcome(remote) == outcome(local)
    assert {r.worker.split(":")[0] for r in remote} <= {"ray0", "ray1"}
    assert all(r.attempt == 1 for r in remote)


def test_worker_killed_mid_run_loses_nothing(ray_session, tmp_path):
    run_dir = tmp_path / "kill"
    store_file = run_dir / "episodes.jsonl"
    seen: dict = {}

    def killer() -> None:  # once 3 episodes are on disk, kill the worker of the last one during its next episode
        while len(read_records(run_dir)) < 3:
            time.sleep(0.05)
        before = read_records(run_dir)
        pid = int(before[-1].worker.rsplit(":", 1)[1])
        time.sleep(1.0)  # the driver has handed that worker its next episode (>= 2 s long): the kill lands inside it
        seen.update(lines=store_file.read_text().splitlines(), slot=before[-1].worker.split(":")[0], pid=pid)
        os.kill(pid, signal.SIGKILL)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    # 20 episodes of >= 2 s: enough left after the kill for the restarted slot to run some even when a loaded
    # machine takes seconds to start its new actor (with 10 the other worker could finish them all first)
    records = run(tmp_path, "kill", runner="ray", tasks=[0, 1, 2, 3, 4], trials=4, bench_options={"step_delay_s": 0.05})
    thread.join(timeout=5)
    assert seen, "the kill never happened"
    keys = [r.key for r in records]
    assert len(keys) == len(set(keys)) == 20  # every episode exactly once
    assert store_file.read_text().splitlines()[:len(seen["lines"])] == seen["lines"]  # nothing before the kill lost
    retried = [r for r in records if r.attempt == 2]
    assert len(retried) == 1 and retried[0].error is None and retried[0].steps == 40
    assert retried[0].key not in {r.key for r in records[:len(seen["lines"])]}
    after = [r for r in records[len(seen["lines"]):] if r.worker.split(":")[0] == seen["slot"]]
    assert after and all(int(r.worker.rsplit(":", 1)[1]) != seen["pid"] for r in after)  # restarted, new process


def test_stuck_worker_times_out_and_is_replaced(ray_session, tmp_path):
    records = run(tmp_path, "hang", runner="ray", tasks=[0, 1], trials=1, episode_timeout_s=1.5, max_attempts=2,
                  bench_options={"hang_tasks": [1], "hang_s": 60.0})
    by_task = {r.spec.task_id: r for r in records}
    assert len(records) == 2
    assert by_task[0].error is None and by_task[0].steps == 40
    hung = by_task[1]
    assert hung.error.kind == "timeout" and hung.attempt == 2 and hung.success is None


def test_worker_constructor_error_stops_the_run(ray_session, tmp_path):
    # The worker's own exception reaches the CLI (a one-line ConfigError here), as with the local runner.
    with pytest.raises(ConfigError, match="no_such_option"):
        run(tmp_path, "bad", runner="ray", tasks=[0], trials=1, policy_options={"no_such_option": 1})


def test_queue_keeps_task_affinity_and_counts_attempts():
    bench = FakeBenchmark()
    specs = bench.episodes(BenchSelection(tasks=(0, 1, 2), trials=2), 7)
    queue = WorkQueue([(s, 1) for s in specs], bench.env_key, max_attempts=2)
    first = queue.take(None, set())
    assert first[0].task_id == 0
    assert queue.take(None, {"reach/0"})[0].task_id == 1  # another worker holds task 0: build task 1
    assert queue.take("reach/0", {"reach/1"})[0].task_id == 0  # warm env wins
    assert queue.retry(first[0], 1) and queue.take("reach/0", set()) == (first[0], 2)
    assert not queue.retry(first[0], 2)  # attempts used up: the caller records the error
    assert queue.take("reach/0", {"reach/1"})[0].task_id == 2
    assert len(queue) == 2


def test_ray_address_from_option_or_environment(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert cluster_address(RayOptions()) is None
    monkeypatch.setenv("RAY_ADDRESS", "auto")
    assert cluster_address(RayOptions()) == "auto"
    assert cluster_address(RayOptions(address="10.0.0.1:6379")) == "10.0.0.1:6379"
    with pytest.raises(ConnectionError, match="nothing answers"):  # fail fast, not Ray's minutes of retries
        check_reachable("127.0.0.1:1")


@pytest.mark.sim
def test_libero_episode_through_ray_cli(ray_session, tmp_path):
    # Record equality with the local runner on LIBERO is checked at scale by `make bench-ray`.
    assert main(["eval", "--bench", "libero_spatial", "--policy", "zero", "--tasks", "0", "--trials", "1",
                 "--max-steps", "16", "--no-progress", "--out", str(tmp_path), "--name", "ray", "--runner", "ray",
                 "--workers", "1", "--video", "all"]) == 0
    (rec,) = read_records(tmp_path / "ray")
    assert rec.error is None and rec.success is False and rec.steps == 16
    assert rec.worker.startswith("ray0:") and rec.attempt == 1 and rec.time.render_s > 0
    assert (tmp_path / "ray" / rec.video).stat().st_size > 0  # written by the worker, beside the store


def test_remote_policy_stop_ends_a_ray_run_without_worker_deaths(ray_session, tmp_path, capsys):
    # on_unreachable=stop under Ray: the worker's RunStopped ends the run (in-flight episodes recorded), not a retry.
    from test_remote_failures import FAST, _start_server, _stop, _wait_for

    marker = tmp_path / "in-flight"
    proc, port = _start_server(0, "-P", "trip=5", "-P", f"marker={marker}")
    killer = threading.Thread(target=lambda: (_wait_for(marker), proc.send_signal(signal.SIGKILL)), daemon=True)
    killer.start()
    try:
        code = main(["eval", "--bench", "fake", "--tasks", "0,1", "--trials", "3", "--max-steps", "12", "--no-progress",
                     "--policy", "remote", "--policy-url", f"ws://127.0.0.1:{port}", *FAST, "-P", "on_unreachable=stop",
                     "--runner", "ray", "--workers", "2", "--out", str(tmp_path), "--name", "run"])
        killer.join(10)
    finally:
        _stop(proc)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("error: policy server") and "on_unreachable=stop" in err[-1]
    records = read_records(tmp_path / "run")
    kinds = [r.error.kind for r in records if r.error]
    assert "policy_unreachable" in kinds and "worker_died" not in kinds and len(records) < 6
    assert len({r.key for r in records}) == len(records) and all(r.attempt == 1 for r in records)
    proc, _ = _start_server(port)
    try:
        assert main(["resume", str(tmp_path / "run"), "--no-progress", "--runner", "ray", "--workers", "2"]) == 0
    finally:
        _stop(proc)
    finished = [r for r in read_records(tmp_path / "run") if r.error is None]
    assert len({r.key for r in finished}) == len(finished) == 6
