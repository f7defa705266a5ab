"""simpler_bridge -B stack=official without the simulator: SimplerEnv's Bridge scripts as configurations, the option
refusals, the stand-in in the protocol hash, and files the official archive lacked taken from the Bridge assets only
when their git blob id is the pinned commit's."""

from __future__ import annotations

import pytest

from tests.test_simpler_google import _all_files_but, _tree
from vla_harness.benchmarks.download import file_digests
from vla_harness.benchmarks.simpler.assets import BRIDGE, AssetDir
from vla_harness.benchmarks.simpler.bench import SimplerBridgeBenchmark, simpler_bridge
from vla_harness.benchmarks.simpler.official import bridge_tasks as bt
from vla_harness.benchmarks.simpler.official import fill
from vla_harness.benchmarks.simpler.official.bridge import OfficialBridgeBenchmark
from vla_harness.benchmarks.simpler.official.sources import sources
from vla_harness.benchmarks.simpler.protocol import SUITE
from vla_harness.harness.config import ConfigError
from vla_harness.harness.manifest import protocol_hash
from vla_harness.harness.protocols import BenchSelection


def test_the_official_scripts_configurations():
    tasks = bt.SUITES[SUITE]
    assert list(tasks) == ["put_carrot_on_plate", "put_spoon_on_towel", "stack_green_cube_on_yellow_cube",
                           "put_eggplant_in_basket"]
    carrot, eggplant = tasks["put_carrot_on_plate"], tasks["put_eggplant_in_basket"]
    assert [c.obj_episode for c in carrot] == list(range(24)) and {len(c) for c in tasks.values()} == {24}
    assert (carrot[0].env_id, carrot[0].robot, carrot[0].robot_xy, carrot[0].max_steps, carrot[0].overlay) == (
        "PutCarrotOnPlateInScene-v0", "widowx", (0.147, 0.028), 60, "bridge_real_eval_1.png")
    assert (eggplant[0].robot, eggplant[0].scene, eggplant[0].robot_xy, eggplant[0].max_steps) == (
        "widowx_sink_camera_setup", "bridge_table_1_v2", (0.127, 0.06), 120)
    assert (carrot[0].setup.control_hz, carrot[0].setup.sim_hz, carrot[0].setup.camera) == (5, 500, "3rd_view_camera")


def test_stack_option_picks_the_stack_and_refuses_in_one_line():
    assert isinstance(simpler_bridge(), SimplerBridgeBenchmark)
    with pytest.raises(ConfigError, match="stack= takes maniskill3 or official; got 'ms2'"):
        simpler_bridge(stack="ms2")
    with pytest.raises(ConfigError, match="timeout_s= is for the official stack"):
        simpler_bridge(timeout_s=5)


def test_runnable_tasks_and_the_stand_in_in_the_protocol_hash(tmp_path, capsys):
    asset_dir = _tree(tmp_path, _all_files_but("eggplant/textured.dae"))
    bench = simpler_bridge(stack="official", asset_dir=asset_dir)
    assert isinstance(bench, OfficialBridgeBenchmark) and bench.why_not(SUITE, "put_carrot_on_plate") is None
    assert "eggplant/textured.dae" in bench.why_not(SUITE, "put_eggplant_in_basket")
    assert "bridge_table_1_v2.glb" in bench.why_not(SUITE, "put_eggplant_in_basket")  # no stand-in for the sink
    protocol = bench.protocol()
    assert protocol.extra["stages"]["bridge_table_1_v1"].startswith("stand-in bridge_table_1_v1.glb (flat slab")
    assert protocol.extra["stack"].startswith("official") and protocol.conventions.action.name == "bridge_ee_delta"
    assert protocol_hash(protocol, {}) != protocol_hash(SimplerBridgeBenchmark().protocol(), {})
    _tree(tmp_path, ["data/hab2_bench_assets/stages/bridge_table_1_v1.glb"])
    real = simpler_bridge(stack="official", asset_dir=asset_dir).protocol()
    assert real.extra["stages"]["bridge_table_1_v1"].startswith("real ") and "note" not in real.extra
    with pytest.raises(ConfigError, match="tasks 0-3"):
        bench.episodes(BenchSelection(tasks=(4,)), run_seed=0)


def test_missing_files_come_from_the_bridge_assets_only_when_they_are_the_pinned_blobs(tmp_path, monkeypatch):
    ms2 = next(s for s in sources() if s.repo.endswith("ManiSkill2_real2sim"))
    bridge = tmp_path / "bridge"
    overlay = bridge / "data" / BRIDGE / "real_inpainting" / "bridge_real_eval_1.png"
    json_file = bridge / "data" / BRIDGE / "custom" / "info_bridge_custom_v0.json"
    for path, data in ((overlay, b"not the photo"), (json_file, b"{}")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    real_json = "data/custom/info_bridge_custom_v0.json"
    monkeypatch.setattr("vla_harness.benchmarks.simpler.assets.find_assets", lambda: AssetDir(bridge))
    monkeypatch.setitem(ms2.files, real_json, [file_digests(json_file)[1], 2])  # as if "{}" were the pinned blob
    tree = tmp_path / "tree"
    folder, filled = fill.fill_from_bridge_assets(ms2, tree)
    assert folder == bridge and filled == [real_json] and (tree / real_json).read_bytes() == b"{}"
    assert not (tree / "data/real_inpainting/bridge_real_eval_1.png").exists()  # its blob id is not the pinned one
