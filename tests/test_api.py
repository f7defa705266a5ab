"""The Python API (vla_harness.Evaluator / evaluate): run directories like the CLI's, typed results, warm envs."""

from __future__ import annotations

import json
import runpy
import threading

import pytest

import vla_harness
from tests.conftest import ROOT
from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.cli.main import main
from vla_harness.harness.config import ConfigError
from vla_harness.harness.store import read_records


@pytest.fixture
def env_builds(monkeypatch):
    """The envs the fake benchmark constructed for evaluations (counted at the benchmark, not by the API; the
    runners build envs on their episode thread, the example's expert data on the main thread)."""
    built = []
    make_env = FakeBenchmark.make_env

    def counting(self, spec):
        if threading.current_thread().name == "episode":
            built.append(spec.key)
        return make_env(self, spec)

    monkeypatch.setattr(FakeBenchmark, "make_env", counting)
    return built


def test_the_toy_policy_trains_and_the_second_in_loop_evaluation_builds_no_env(tmp_path, env_builds):
    example = runpy.run_path(str(ROOT / "examples" / "train_in_loop.py"))
    before = len(env_builds)
    results = example["train"](steps=100, every=50, out=str(tmp_path), tasks=(0, 1, 2), trials=3)
    assert len(env_builds) - before == 3  # one env per task, all in the first evaluation
    first, second = results
    assert (first.envs_built, second.envs_built) == (3, 0)
    assert first.success.n == second.success.n == 9 and first.run_dir != second.run_dir
    assert [r.success.successes for r in results] == [sum(t.success.successes for t in r.tasks) for r in results]
    assert main(["check", str(second.run_dir)]) == 0


def test_a_registered_policy_gives_the_records_the_cli_gives(tmp_path, capsys):
    result = vla_harness.evaluate("random", "fake", tasks=[0, 1], trials=3, out=tmp_path, name="api", seed=3)
    assert main(["eval", "--bench", "fake", "--policy", "random", "--tasks", "0,1", "--trials", "3", "--seed", "3",
                 "--out", str(tmp_path), "--name", "cli", "--no-progress"]) == 0
    api, cli = (sorted(read_records(tmp_path / n), key=lambda r: r.key) for n in ("api", "cli"))
    assert [(r.key, r.success, r.steps, r.spec) for r in api] == [(r.key, r.success, r.steps, r.spec) for r in cli]
    assert [r.policy.target for r in api] == [r.policy.target for r in cli]
    manifests = [json.loads((tmp_path / n / "manifest.json").read_text()) for n in ("api", "cli")]
    assert manifests[0]["protocol_hash"] == manifests[1]["protocol_hash"]
    assert manifests[0]["status"] == "finished" and (tmp_path / "api" / "run.lock").exists()
    assert result.success.n == 6 and len(result.tasks) == 2 and list(result.suites) == ["fake/reach"]
    assert {r.key for r in result.records} == {r.key for r in api}


def test_a_policy_object_is_recorded_by_its_label_and_never_closed(tmp_path):
    policy = ScriptedPolicy(size=8)
    policy.closed = False
    policy.close = lambda: setattr(policy, "closed", True)
    with vla_harness.Evaluator("fake", tasks=[0], trials=2, out=tmp_path) as ev:
        result = ev.evaluate(policy, name="obj", label="my-model")
    manifest = json.loads((tmp_path / "obj" / "manifest.json").read_text())
    assert manifest["config"]["policy"] == "my-model" and not policy.closed
    assert {r.policy.name for r in result.records} == {"my-model"}
    assert {r.policy.target for r in result.records} == {"tests.fixtures:ScriptedPolicy"}
    assert len(policy.resets) == 2


def test_bad_inputs_are_one_line_errors(tmp_path):
    with vla_harness.Evaluator("fake", tasks=[0], trials=1, out=tmp_path) as ev:
        with pytest.raises(ConfigError, match="registered policy"):
            ev.evaluate(ScriptedPolicy(), label="random")
        with pytest.raises(ConfigError, match="Policy object"):
            ev.evaluate(42)
        with pytest.raises(ConfigError, match="policy_options"):
            ev.evaluate(ScriptedPolicy(), policy_options={"chunk": 2})
    with pytest.raises(ConfigError, match="--trials"):
        vla_harness.Evaluator("fake", trials=0)


def test_a_timed_out_episode_leaves_its_envs_behind_and_the_next_call_builds_new_ones(tmp_path, env_builds):
    with vla_harness.Evaluator("fake", tasks=[0, 1], trials=1, out=tmp_path, episode_timeout_s=1.0,
                               bench_options={"hang_tasks": [1], "hang_s": 3.0}) as ev:
        result = ev.evaluate("zero", name="hang", policy_options={"chunk": 4})
        kinds = {r.spec.task_id: r.error.kind if r.error else None for r in result.records}
        assert kinds == {0: None, 1: "timeout"} and result.success.errors == 1
        again = ev.evaluate("zero", name="again", policy_options={"chunk": 4})
        assert again.envs_built == 2  # the timed-out thread's envs were abandoned, not reused
    assert len(env_builds) == 4


def test_import_stays_cheap():
    import subprocess
    import sys

    code = "import sys, vla_harness; print(len([m for m in sys.modules if m.startswith('vla_harness')]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "1"
