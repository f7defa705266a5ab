"""Named paper protocols (`--protocol NAME`): their numbers in the plan and manifest, under every report table, one
protocol per column, the loop's replan cap and the preset's env.seed()."""

from __future__ import annotations

import dataclasses
import json
import types

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.benchmarks.libero.env import LiberoEnv
from vla_harness.benchmarks.libero.presets import PRESETS, preset
from vla_harness.cli.main import main
from vla_harness.cli.resolve import start_run
from vla_harness.harness.config import ConfigError, RunConfig
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.store import RunStore
from vla_harness.results.load import ProtocolMismatch, check_protocols, load_columns
from vla_harness.results.synthetic import record

SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10", "libero_90")


def test_preset_numbers_as_read_in_the_official_scripts():
    # The values of docs/protocols.md (each cited there by repo, file and commit).
    steps = {name: tuple(p.max_steps[s] for s in SUITES) for name, p in PRESETS.items()}
    assert steps == {"libero": (220, 280, 300, 520, 400), "openpi": (220, 280, 300, 520, 400),
                     "vla-jepa": (250, 280, 300, 520, 400), "lerobot": (280, 280, 300, 520, 400)}
    assert [PRESETS[n].plus_max_steps for n in PRESETS] == [None, None, 520, None]
    assert PRESETS["openpi"].replan_steps == 5 and PRESETS["openpi"].env_seed_for(3) == 7
    assert PRESETS["vla-jepa"].env_seed_for(3) == 7 and PRESETS["lerobot"].env_seed_for(3) == 1003
    assert PRESETS["libero"].env_seed_for(3) is None
    with pytest.raises(ConfigError, match="unknown protocol 'openvla'; allowed: libero, openpi, vla-jepa, lerobot"):
        preset("openvla")


def _plus_run(tmp_path, protocol: str | None, name: str):
    options = {"dimensions": "camera", "sample": 1} | ({"protocol": protocol} if protocol else {})
    cfg = RunConfig(bench="libero_plus", policy="zero", suites=["libero_spatial"], bench_options=options,
                    out=str(tmp_path), name=name)
    run_dir = start_run(cfg)
    store = RunStore(run_dir)
    store.append(record(name, "libero_plus", "libero_spatial", 4, 0, False,
                        perturbation={"dimension": "camera", "level": None, "difficulty": 1, "variant_id": "v0769",
                                      "params": {}}))
    store.close()
    return run_dir


def test_libero_plus_vla_jepa_runs_520_steps_and_says_so_in_manifest_and_once_per_report(tmp_path, capsys):
    run_dir = _plus_run(tmp_path, "vla-jepa", "jepa")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["config"]["bench_options"]["protocol"] == "vla-jepa"
    assert manifest["protocol"]["max_steps"] == 520
    assert set(manifest["protocol"]["extra"]["max_steps_per_suite"].values()) == {520}
    assert manifest["protocol"]["extra"]["paper_protocol"]["name"] == "vla-jepa"
    assert main(["report", str(run_dir), "--published", "none"]) == 0
    out = capsys.readouterr().out
    tables = out.split("\n### ")[1:]
    assert len(tables) >= 3 and tables[0].startswith("Runs in this report")
    # the ~300-character protocol line once, under the runs table, not under every table
    assert out.count("protocol vla-jepa: ") == 1 and "LIBERO-Plus 520 every variant" in tables[0]


def test_two_protocols_never_share_a_column_even_when_mismatch_is_allowed(tmp_path, capsys):
    a, b = _plus_run(tmp_path, "vla-jepa", "a"), _plus_run(tmp_path, None, "b")
    with pytest.raises(ProtocolMismatch, match="column 'zero' mixes runs of protocols libero, vla-jepa"):
        check_protocols(load_columns([a, b]), allow_mismatch=True)
    assert main(["report", str(a), str(b), "--allow-protocol-mismatch"]) == 2
    assert "mixes runs of protocols" in capsys.readouterr().err
    # Apart, in two columns, the tables say which column ran which protocol.
    assert main(["report", str(a), str(b), "--label", "jepa", "--label", "plain", "--allow-protocol-mismatch",
                 "--published", "none"]) == 0
    out = capsys.readouterr().out
    assert "[jepa]" in out and "protocol libero: " in out and "[plain]" in out


def test_replan_steps_caps_how_much_of_each_chunk_the_loop_executes():
    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1), 7)[0]
    spec = dataclasses.replace(spec, max_steps=20)
    policy = ScriptedPolicy(chunk=np.zeros((8, 7), np.float32))
    protocol = dataclasses.replace(bench.protocol(), replan_steps=5)
    outcome = run_episode(bench.make_env(spec), policy, spec, protocol)
    assert outcome.steps == 20 and len(policy.calls) == 4  # 5 of every 8 actions, then ask again
    assert [obs.step for obs in policy.calls] == [0, 5, 10, 15]


class _SeedRecorder:
    def __init__(self):
        self.seeds = []

    def seed(self, value):
        self.seeds.append(value)


@pytest.mark.parametrize("name,trial,expected", [("openpi", 4, 7), ("vla-jepa", 0, 7), ("lerobot", 4, 1004),
                                                  ("libero", 4, 12345)])
def test_env_seed_of_the_preset_or_the_episode(name, trial, expected):
    env = LiberoEnv.__new__(LiberoEnv)  # only reset's seeding is under test: no simulator
    env.env, env.paper = _SeedRecorder(), PRESETS[name]
    env.env.reset = lambda: None
    env.env.set_init_state = lambda state: {}
    env.init_states, env._samplers_after_build = [None] * 5, 0
    env.env.env = None
    env.renderer = types.SimpleNamespace(attach=lambda robosuite_env: None)  # no render context either
    spec = FakeBenchmark().episodes(BenchSelection(tasks=(0,)), 7)[0]
    env.reset(dataclasses.replace(spec, seed=12345, trial=trial, init_state_index=trial))
    assert env.env.seeds == [expected]
