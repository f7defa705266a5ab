"""simpler_google without the simulator: every official configuration, in the scripts' order; what is refused here
(missing files, ray tracing on a CPU) in one line; stand-in stages and the rasterising shader in the protocol hash."""

from __future__ import annotations

import pytest

from vla_harness.benchmarks.simpler.official import google_tasks as gt
from vla_harness.benchmarks.simpler.official.bench import SimplerGoogleBenchmark
from vla_harness.benchmarks.simpler.official.needs import required
from vla_harness.benchmarks.simpler.official.sources import sources
from vla_harness.harness.config import ConfigError
from vla_harness.harness.manifest import protocol_hash


def test_config_counts_are_the_official_scripts():
    counts = {s: {t: len(c) for t, c in tasks.items()} for s, tasks in gt.SUITES.items()}
    # 4 URDFs x 25 positions per coke orientation; 4 x 60 move-near episodes; 4 URDFs x 3 drawers x 9 poses; apple
    # 4 URDFs x 3 poses x 9 positions; variant aggregation: 11 / 10 / 7 variants
    assert counts[gt.VISUAL] == {"pick_horizontal_coke_can": 100, "pick_vertical_coke_can": 100,
                                 "pick_standing_coke_can": 100, "move_near": 240, "open_drawer": 108,
                                 "close_drawer": 108, "put_apple_in_drawer": 108}
    assert counts[gt.VARIANT] == {"pick_horizontal_coke_can": 275, "pick_vertical_coke_can": 275,
                                  "pick_standing_coke_can": 275, "move_near": 600, "open_drawer": 189,
                                  "close_drawer": 189, "put_apple_in_drawer": 189}
    first = gt.SUITES[gt.VISUAL]["pick_horizontal_coke_can"][0]
    assert (first.obj_xy, first.build, first.max_steps) == ((-0.35, -0.02), {"lr_switch": True, "urdf_version": None},
                                                           80)
    assert gt.SUITES[gt.VISUAL]["pick_horizontal_coke_can"][1].obj_xy == (-0.35, 0.09)  # y varies fastest
    drawer = gt.SUITES[gt.VISUAL]["open_drawer"][0]
    assert drawer.ray_tracing and drawer.overlay == "open_drawer_a0.png" and drawer.robot_xy == (0.644, -0.179)
    assert {c.max_steps for c in gt.SUITES[gt.VARIANT]["put_apple_in_drawer"]} == {200}


def _tree(tmp_path, files):
    tree = tmp_path / "simpler_official" / "src" / "ManiSkill2_real2sim"
    for rel in files:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(b"x")
    return str(tmp_path)


def _all_files_but(skip: str = "") -> list[str]:
    ms2 = next(s for s in sources() if s.repo.endswith("ManiSkill2_real2sim"))
    return [p for p in ms2.files if p.startswith("data/") and not p.startswith("data/hab2_bench_assets/")
            and (not skip or skip not in p)]


def test_missing_files_are_named_and_ray_tracing_is_refused_on_a_cpu(tmp_path, monkeypatch):
    monkeypatch.setenv("VLA_HARNESS_VK_LAYER", "1")  # as on this CPU machine
    bench = SimplerGoogleBenchmark(asset_dir=_tree(tmp_path, _all_files_but("blue_plastic_bottle")))
    assert bench.why_not(gt.VISUAL, "pick_standing_coke_can") is None
    move = bench.why_not(gt.VISUAL, "move_near")
    assert "data/custom/models/blue_plastic_bottle/textured.dae" in move and "env setup simpler_official" in move
    drawer = bench.why_not(gt.VISUAL, "open_drawer")
    assert "ray-tracing shader" in drawer and "-B shader=raster" in drawer
    assert SimplerGoogleBenchmark(shader="raster", asset_dir=bench.asset_dir).why_not(gt.VISUAL, "open_drawer") is None
    assert "modern_office_no_roof.glb" in bench.why_not(gt.VARIANT, "open_drawer")  # no stand-in for room stages
    with pytest.raises(ConfigError, match="published or raster"):
        SimplerGoogleBenchmark(shader="fast")


def test_stand_in_stages_and_the_rasterising_shader_change_the_protocol_hash(tmp_path):
    asset_dir = _tree(tmp_path, _all_files_but())
    plain = SimplerGoogleBenchmark(asset_dir=asset_dir).protocol()
    stage = plain.extra["stages"]["google_pick_coke_can_1_v4"]
    assert stage.startswith("stand-in google_pick_coke_can_1_v4.glb (flat table, top at 0.870 m")
    assert plain.extra["stage_stand_in"] and "stand-in" in plain.extra["note"]
    raster = SimplerGoogleBenchmark(shader="raster", asset_dir=asset_dir).protocol()
    assert "not the published setup" in raster.extra["note"]
    _tree(tmp_path, ["data/hab2_bench_assets/stages/google_pick_coke_can_1_v4.glb"])
    real = SimplerGoogleBenchmark(asset_dir=asset_dir).protocol()
    assert real.extra["stages"]["google_pick_coke_can_1_v4"].startswith("real google_pick_coke_can_1_v4.glb sha256")
    assert len({protocol_hash(p, {}) for p in (plain, raster, real)}) == 3


def test_each_configuration_reads_its_overlay_and_models():
    coke = gt.SUITES[gt.VISUAL]["pick_vertical_coke_can"][0]
    files = required(coke)
    assert "data/real_inpainting/google_coke_can_real_eval_1.png" in files
    assert "data/custom/models/opened_coke_can/collision.obj" in files
    distractors = next(c for c in gt.SUITES[gt.VARIANT]["pick_vertical_coke_can"] if c.variant == "distractors_more")
    assert "data/custom/models/opened_fanta_can/collision.obj" in required(distractors)
