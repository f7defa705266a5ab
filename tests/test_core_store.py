"""Run store, resume and protocol-hash checks through the real CLI/evaluate code on the fake benchmark."""

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.fixtures import CountingBenchmark
from vla_harness.cli.resolve import evaluate, resume, start_run
from vla_harness.harness import evaluate as core
from vla_harness.harness.config import RunConfig
from vla_harness.harness.evaluate import ProtocolMismatch
from vla_harness.harness.plan import hash_fields, plan_run
from vla_harness.harness.seeding import episode_seed
from vla_harness.harness.store import RunStore, StoreError, read_records
from vla_harness.harness.targets import Targets
from vla_harness.policies import POLICIES

ROOT = Path(__file__).resolve().parent.parent


def _cfg(tmp_path, **kw) -> RunConfig:
    base = dict(bench="fake", policy="random", tasks=[0, 1], trials=2, out=str(tmp_path), name="run")
    return RunConfig(**{**base, **kw})


def test_manifest_and_records_written(tmp_path):
    summary = evaluate(_cfg(tmp_path), progress=False)
    run_dir = summary.run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for field in ("config", "protocol", "protocol_hash", "packages", "git", "machine", "run_id"):
        assert field in manifest
    assert manifest["packages"]["numpy"]
    assert len(summary.records) == 4 and summary.executed == 4
    lines = (run_dir / "episodes.jsonl").read_text().splitlines()
    assert len(lines) == 4 and all(len(line) < 10_000 for line in lines)


def test_seeds_depend_on_key_not_order(tmp_path):
    a = evaluate(_cfg(tmp_path, name="a", tasks=[0, 1]), progress=False).records
    b = evaluate(_cfg(tmp_path, name="b", tasks=[1, 0]), progress=False).records
    by_key = {r.key: (r.spec.seed, r.success, r.steps) for r in a}
    assert by_key == {r.key: (r.spec.seed, r.success, r.steps) for r in b}
    assert a[0].spec.seed == episode_seed(7, a[0].key)


def test_existing_run_dir_is_refused(tmp_path):
    start_run(_cfg(tmp_path))
    with pytest.raises(StoreError, match="resume"):
        start_run(_cfg(tmp_path))


def test_env_errors_recorded_run_goes_on_and_resume_retries_only_them(tmp_path):
    first_run = evaluate(_cfg(tmp_path, bench_options={"broken_tasks": [1]}), progress=False)
    run_dir, first = first_run.run_dir, first_run.records
    kinds = Counter(r.error.kind if r.error else "ok" for r in first)
    assert kinds == {"ok": 2, "env_error": 2}
    # The user fixes the environment, then resumes: only the errored keys run again, as attempt 2.
    manifest = RunStore(run_dir).read_manifest()
    manifest["config"]["bench_options"] = {}
    manifest["protocol_hash"] = _hash_for(manifest["config"])
    RunStore(run_dir).write_manifest(manifest)
    second = resume(run_dir, progress=False)
    assert second.executed == 2
    retried = [r for r in second.records if r.attempt == 2]
    assert {r.spec.task_id for r in retried} == {1} and all(r.error is None for r in retried)


def _hash_for(config: dict) -> str:
    from vla_harness.benchmarks.fake.bench import PROTOCOL
    from vla_harness.harness.manifest import protocol_hash

    return protocol_hash(PROTOCOL, hash_fields(RunConfig.from_dict(config)))


def test_the_plan_is_built_once_per_start_and_once_per_resume(tmp_path):
    targets = Targets(bench="tests.fixtures:CountingBenchmark", policy=POLICIES.target("random"))
    CountingBenchmark.expansions = 0
    plan = plan_run(_cfg(tmp_path), targets)
    run_dir = core.start_run(plan)
    assert core.execute(run_dir, plan, progress=False).executed == 4
    assert CountingBenchmark.expansions == 1
    assert plan.env_key(plan.specs[0]) == "reach/0" and len(plan.env_keys) == len(plan.specs) == 4
    assert core.resume(run_dir, targets, progress=False).executed == 0
    assert CountingBenchmark.expansions == 2  # resume re-plans from the manifest


def test_resume_refuses_changed_protocol(tmp_path):
    run_dir = start_run(_cfg(tmp_path))
    manifest = RunStore(run_dir).read_manifest()
    manifest["protocol_hash"] = "0123456789abcdef"
    RunStore(run_dir).write_manifest(manifest)
    with pytest.raises(ProtocolMismatch, match="0123456789abcdef"):
        resume(run_dir, progress=False)


def test_truncated_last_line_is_ignored_and_repaired(tmp_path):
    run_dir = evaluate(_cfg(tmp_path, tasks=[0], trials=1), progress=False).run_dir
    with open(run_dir / "episodes.jsonl", "a") as f:
        f.write('{"schema_version": 1, "run_id": "x", "ke')  # a writer killed mid-line
    assert len(read_records(run_dir)) == 1
    RunStore(run_dir).append(read_records(run_dir)[0])
    assert len(read_records(run_dir)) == 2  # the torn line was dropped, not glued to the new record


def test_kill_mid_run_then_resume_loses_and_repeats_nothing(tmp_path):
    cmd = [sys.executable, "-m", "vla_harness", "eval", "--bench", "fake", "--policy", "random", "--tasks", "0-4",
           "--trials", "3", "-B", "step_delay_s=0.004", "--out", str(tmp_path), "--name", "k", "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    episodes = tmp_path / "k" / "episodes.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not episodes.exists() or len(episodes.read_text().splitlines()) < 4):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = read_records(tmp_path / "k")
    assert 4 <= len(before) < 15, "the run should have been killed mid-way"
    summary = resume(tmp_path / "k", progress=False)
    keys = Counter(r.key for r in summary.records)
    assert len(keys) == 15 and set(keys.values()) == {1}
    assert summary.executed == 15 - len(before)
    assert [r.to_dict() for r in summary.records[:len(before)]] == [r.to_dict() for r in before]
