"""What benchmarks and policies declare and the core acts on: the spec's replan_steps, the protocol's action_bounds
(out-of-range actions counted per episode), unhashed declarations a resume may see change, factories checked
against Policy / Benchmark."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from tests.test_core_loop import spec_env  # noqa: F401 - the fixture: fake task 0, 20 steps
from vla_harness.benchmarks.fake.bench import PROTOCOL
from vla_harness.cli.main import main
from vla_harness.cli.resolve import resume
from vla_harness.harness.episode import replan_steps, run_episode
from vla_harness.harness.errors import ProtocolMismatch
from vla_harness.harness.store import RunStore, read_records
from vla_harness.harness.types import PolicySpec


class Replanning(ScriptedPolicy):
    def __init__(self, chunk, replan: int | None) -> None:
        super().__init__(chunk=chunk, cameras=())
        self.replan = replan

    def spec(self) -> PolicySpec:
        return dataclasses.replace(super().spec(), replan_steps=self.replan)


def test_the_loop_executes_what_the_spec_and_the_protocol_allow(spec_env):
    spec, env = spec_env
    chunk = np.zeros((8, 7), np.float32)
    policy = Replanning(chunk, replan=4)
    assert run_episode(env, policy, spec, PROTOCOL).steps == 20 and len(policy.calls) == 5  # 20 steps / 4
    assert replan_steps(dataclasses.replace(PROTOCOL, replan_steps=2), policy.spec()) == 2  # the fewer wins
    assert replan_steps(PROTOCOL, Replanning(chunk, None).spec()) is None  # the whole chunk
    assert PolicySpec("old", chunk_len=4) == PolicySpec("old")  # 0.1's field: accepted, never read


def test_actions_outside_the_declared_bounds_are_counted_per_episode(spec_env):
    spec, env = spec_env
    chunk = np.zeros((4, 7), np.float32)
    chunk[1, 0], chunk[3, 2], chunk[2, 5] = 1.5, -1.2, 9.0  # dim 5 is unbounded on `fake`
    out = run_episode(env, ScriptedPolicy(chunk=chunk, cameras=()), spec, PROTOCOL)
    assert out.steps == 20 and out.out_of_range == 10  # two of each 4 actions, 5 chunks
    undeclared = dataclasses.replace(PROTOCOL, action_bounds=None)
    assert run_episode(env, ScriptedPolicy(chunk=chunk, cameras=()), spec, undeclared).out_of_range is None
    edge = np.full((1, 7), 1.0, np.float32)
    assert run_episode(env, ScriptedPolicy(chunk=edge, cameras=()), spec, PROTOCOL).out_of_range == 0


def test_records_hold_the_count_and_a_resume_ignores_changed_declarations_only(tmp_path):
    args = ["eval", "--bench", "fake", "--policy", "random", "-P", "scale=3", "--tasks", "0", "--trials", "2",
            "--out", str(tmp_path), "--name", "r", "--no-progress"]
    assert main(args) == 0
    records = read_records(tmp_path / "r")
    assert all(0 < r.actions_out_of_range <= r.steps for r in records)
    store = RunStore(tmp_path / "r")
    manifest = store.read_manifest()
    del manifest["protocol"]["action_bounds"]  # as a manifest from before the field, with other labels
    manifest["protocol"]["report"] = {"level_name": "severity"}
    store.write_manifest(manifest)
    assert resume(tmp_path / "r", progress=False).executed == 0
    manifest["protocol"]["max_steps"] = 41  # a hashed field: refused
    store.write_manifest(manifest)
    with pytest.raises(ProtocolMismatch, match="protocol.max_steps: 41 vs 40"):
        resume(tmp_path / "r", progress=False)


class NotAPolicy:
    def act(self, obs):
        return np.zeros((1, 7))


def test_a_factory_that_builds_no_policy_is_one_line(tmp_path, capsys):
    code = main(["eval", "--bench", "fake", "--policy", "tests.test_core_declarations:NotAPolicy", "--tasks", "0",
                 "--trials", "1", "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.strip().splitlines()[-1].startswith(
        "error: policy 'tests.test_core_declarations:NotAPolicy' (tests.test_core_declarations:NotAPolicy) built a "
        "NotAPolicy, which is not a Policy: it has no spec, reset, close")
