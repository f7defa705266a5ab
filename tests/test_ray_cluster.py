"""The Ray cluster path on Ray's own multi-node test cluster (several raylets on this host, all on 127.0.0.1):
placement by simulator resource, a node lost mid-run, no node left, and a cluster too small to start a worker.

One cluster serves the module: a head with 0 CPUs (no worker may land beside the driver), node `tagged_a` with
1 CPU + sim_fake and node `plain` with 1 CPU and no simulator resource; tests add and remove tagged nodes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vla_harness.cli.main import main
from vla_harness.cli.resolve import evaluate
from vla_harness.harness.config import RunConfig
from vla_harness.harness.store import read_records

ROOT = Path(__file__).resolve().parents[1]
EPISODES = dict(bench="fake", policy="zero", tasks=[0, 1, 2], trials=3)


@pytest.fixture(scope="module")
def cluster():
    import ray._private.ray_constants as ray_constants
    from ray.cluster_utils import Cluster

    # Every raylet, the GCS and the driver on the loopback address (Ray would pick this host's outward address).
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    saved, ray_constants.ENABLE_RAY_CLUSTER = ray_constants.ENABLE_RAY_CLUSTER, False
    # A killed node is declared dead after ~1 s instead of Ray's default ~15-30 s of missed health checks.
    fast_death = {"health_check_period_ms": 300, "health_check_failure_threshold": 3, "health_check_timeout_ms": 300}
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False,
                                                      "_system_config": fast_death})
    c.nodes_by_name = {"tagged_a": c.add_node(num_cpus=1, resources={"sim_fake": 1}), "plain": c.add_node(num_cpus=1)}
    c.wait_for_nodes()
    yield c
    c.shutdown()
    ray_constants.ENABLE_RAY_CLUSTER = saved
    os.environ.pop("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", None)


def _cfg(tmp_path: Path, name: str, cluster, **extra) -> RunConfig:
    fields = {**EPISODES, "out": str(tmp_path), "name": name, "runner": "ray", "workers": 2,
              "ray_address": cluster.address, **extra}
    return RunConfig(**fields)


def _node_of(record) -> str:
    return record.worker.split("@", 1)[1].rsplit(":", 1)[0]


def _outcomes(records) -> dict:
    return {r.key: (r.success, r.steps) for r in records}


def test_workers_land_only_on_tagged_nodes_and_match_the_local_runner(cluster, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="vla_harness.ray")
    remote = evaluate(_cfg(tmp_path, "cluster", cluster), progress=False).records
    local = evaluate(RunConfig(**EPISODES, out=str(tmp_path), name="local"), progress=False).records
    tagged = cluster.nodes_by_name["tagged_a"].node_id[:12]
    assert {_node_of(r) for r in remote} == {tagged}  # never on `plain`, never on the 0-CPU head
    assert _outcomes(remote) == _outcomes(local) and len(remote) == 9
    assert "room for 1 worker(s) of 1 CPU + 1 sim_fake" in caplog.text  # --workers 2 on a 1-slot cluster: said


def _when_records(run_dir: Path, count: int, action, timeout_s: float = 60.0) -> threading.Thread:
    """Run `action` (in a thread) once `count` records are on disk."""
    def wait_then_act() -> None:
        deadline = time.time() + timeout_s
        while time.time() < deadline and len(read_records(run_dir)) < count:
            time.sleep(0.05)
        action()

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


def test_node_lost_mid_run_requeues_its_episode_on_the_survivor(cluster, tmp_path):
    extra = cluster.add_node(num_cpus=1, resources={"sim_fake": 1})
    cluster.wait_for_nodes()
    cfg = _cfg(tmp_path, "lost", cluster, bench_options={"step_delay_s": 0.02}, max_attempts=3)
    thread = _when_records(tmp_path / "lost", 2, lambda: cluster.remove_node(extra, allow_graceful=False))
    records = evaluate(cfg, progress=False).records
    thread.join()
    keys = [r.key for r in read_records(tmp_path / "lost")]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 9  # every key exactly once, nothing lost
    assert all(r.error is None for r in records)
    survivor = cluster.nodes_by_name["tagged_a"].node_id[:12]
    retried = [r for r in records if r.attempt > 1]
    assert retried and all(_node_of(r) == survivor for r in retried)  # the lost node's episode, re-run elsewhere


def test_no_tagged_node_left_stops_the_run_then_resume_finishes_it(cluster, tmp_path, capsys):
    run_dir = tmp_path / "gone"
    args = ["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0-2", "--trials", "3", "-B", "step_delay_s=0.02",
            "--runner", "ray", "--workers", "1", "--ray-address", cluster.address, "--out", str(tmp_path),
            "--name", "gone", "--no-progress"]
    node = cluster.nodes_by_name.pop("tagged_a")
    thread = _when_records(run_dir, 2, lambda: cluster.remove_node(node, allow_graceful=False))
    assert main(args) == 2
    thread.join()
    err = capsys.readouterr().err.strip().splitlines()
    assert "no live node offers 1 CPU + 1 sim_fake" in err[-1] and "resume" in err[-1]
    before = read_records(run_dir)
    assert 2 <= len(before) < 9
    cluster.nodes_by_name["tagged_b"] = cluster.add_node(num_cpus=1, resources={"sim_fake": 1})
    cluster.wait_for_nodes()
    assert main(["resume", str(run_dir), "--no-progress"]) == 0
    keys = [r.key for r in read_records(run_dir)]
    assert len(keys) == len(set(keys)) == 9
    assert [r.key for r in read_records(run_dir)[:len(before)]] == [r.key for r in before]  # appended, not rewritten


def test_a_second_driver_on_the_same_run_is_refused_by_the_run_lock(cluster, tmp_path):
    run_dir = tmp_path / "two"
    cfg = _cfg(tmp_path, "two", cluster, bench_options={"step_delay_s": 0.05}, workers=1)
    first = threading.Thread(target=lambda: evaluate(cfg, progress=False), daemon=True)
    first.start()
    deadline = time.time() + 60
    while time.time() < deadline and not read_records(run_dir):
        time.sleep(0.05)
    second = subprocess.run([sys.executable, "-m", "cli", "resume", str(run_dir), "--ray-address", cluster.address,
                             "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    first_still_running = first.is_alive()
    first.join(timeout=120)
    assert first_still_running  # refused while the first driver was writing, not because it had finished
    assert second.returncode == 2 and f"PID {os.getpid()}" in second.stderr.strip().splitlines()[-1]
    keys = [r.key for r in read_records(run_dir)]
    assert len(keys) == len(set(keys)) == 9


def test_a_cluster_without_room_stops_within_the_start_timeout(cluster, tmp_path, capsys):
    import ray

    class Blocker:  # defined here so Ray ships it by value (the tests folder is not importable on workers)
        def ping(self) -> str:
            return "up"

    ray.init(address=cluster.address, include_dashboard=False)
    try:
        blocker = ray.remote(num_cpus=1, resources={"sim_fake": 1})(Blocker).remote()
        ray.get(blocker.ping.remote())  # the only simulator slot is taken
        t0 = time.monotonic()
        code = main(["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0", "--trials", "2", "--runner", "ray",
                     "--workers", "2", "--out", str(tmp_path), "--name", "full", "--no-progress",
                     "--set", "ray_start_timeout_s=3"])
        waited = time.monotonic() - t0
    finally:
        ray.shutdown()
    assert code == 2 and waited < 60
    assert "no Ray worker came up within 3s" in capsys.readouterr().err
