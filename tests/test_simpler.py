"""SimplerEnv Bridge without the simulator: protocol, episode expansion, missing-asset and Google-robot messages."""

import pytest

from vla_harness.benchmarks.simpler import assets as simpler_assets
from vla_harness.benchmarks.simpler.assets import MissingDependency, no_download_prompt
from vla_harness.benchmarks.simpler.bench import SimplerBridgeBenchmark
from vla_harness.benchmarks.simpler.protocol import TASKS
from vla_harness.cli.main import main
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection


def test_protocol_written_down_once():
    p = SimplerBridgeBenchmark().protocol()
    assert (p.control_hz, p.action_dim, p.trials_per_task, p.settle_steps) == (5.0, 7, 24, 0)
    assert p.cameras == ("3rd_view_camera",)
    assert p.extra["max_steps_per_task"] == {"put_carrot_on_plate": 60, "put_spoon_on_towel": 60,
                                             "stack_green_cube_on_yellow_cube": 60, "put_eggplant_in_basket": 120}
    assert p.extra["sim_hz"] == 500 and "last step" in p.extra["success"]


def test_shared_folder_is_found_and_its_stand_in_stage_is_flagged():
    bench = SimplerBridgeBenchmark()
    assert bench.assets is not None and bench.assets.stage_stand_in("flat_table")
    p = bench.protocol()
    assert p.extra["stage_stand_in"] is True and "stand-in" in p.extra["note"]


def test_trial_i_is_official_episode_i_with_task_max_steps(capsys):
    specs = SimplerBridgeBenchmark().episodes(BenchSelection(), run_seed=3)
    assert len(specs) == 4 * 24
    assert [s.init_state_index for s in specs[:24]] == list(range(24))
    assert {s.task_id: s.max_steps for s in specs} == {0: 60, 1: 60, 2: 60, 3: 120}
    assert [s.instruction for s in specs[::24]] == [t.instruction for t in TASKS]
    assert "task 3 will be recorded as env_error" in capsys.readouterr().err


@pytest.mark.parametrize("selection,match", [(BenchSelection(tasks=(4,)), "tasks 0-3"),
                                             (BenchSelection(trials=25), "24 official"),
                                             (BenchSelection(suites=("x",)), "one suite")])
def test_bad_selection_is_a_config_error(selection, match):
    with pytest.raises(ConfigError, match=match):
        SimplerBridgeBenchmark().episodes(selection, run_seed=0)


def test_eggplant_names_its_missing_files_and_never_builds_an_env():
    bench = SimplerBridgeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0, 3), trials=1), run_seed=0)[1]
    with pytest.raises(MissingDependency) as err:
        bench.make_env(spec)
    text = str(err.value)
    assert "PutEggplantInBasketScene-v1" in text and "stages/bridge_table_1_v2.glb" in text
    assert "custom/models/eggplant/textured.{obj,dae,glb}" in text and "download_asset bridge_v2_real2sim" in text
    with pytest.raises(MissingDependency, match="bridge_table_1_v2.glb"):
        bench.episodes(BenchSelection(tasks=(3,)), run_seed=0)  # nothing runnable: refused up front


def test_no_asset_folder_says_which_command_downloads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MS_ASSET_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(simpler_assets, "SHARED_DIR", tmp_path / "shared")
    bench = SimplerBridgeBenchmark()
    assert bench.assets is None
    with pytest.raises(MissingDependency, match=r"not found .*env.*shared.*download_asset widowx250s -y"):
        bench.episodes(BenchSelection(tasks=(0,)), run_seed=0)
    assert main(["show-env", "--bench", "simpler_bridge", "--task", "0", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: SimplerEnv Bridge assets not found") and len(err.strip().splitlines()) == 1


def test_maniskill_download_prompt_is_refused_not_asked():
    simpler_assets.point_maniskill_at(simpler_assets.find_assets())  # mani_skill reads MS_ASSET_DIR once per process
    from mani_skill.utils import download_asset

    with no_download_prompt(), pytest.raises(MissingDependency, match="download_asset"):
        download_asset.prompt_yes_no("Would you like to download them now?")
    assert download_asset.prompt_yes_no is not simpler_assets._refuse_prompt


def test_simpler_google_without_its_stack_says_why_in_one_line(capsys):
    assert main(["eval", "--bench", "simpler_google", "--policy", "zero", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "vla-harness env setup simpler_official" in err


def test_show_env_is_generic_one_frame_per_protocol_camera(tmp_path):
    import imageio.v2 as imageio

    out = tmp_path / "fake.png"
    assert main(["show-env", "--bench", "fake", "--task", "1", "--size", "16", "--out", str(out)]) == 0
    image = imageio.imread(out)
    assert image.shape == (16, 32, 3) and image.std() > 0  # agentview | wrist, side by side
    assert main(["show-env", "--bench", "fake", "--task", "1", "--size", "0"]) == 2
