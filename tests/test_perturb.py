"""Native perturbation sweeps without a simulator: parsing, paired expansion, determinism, image and text dimensions."""

import numpy as np
import pytest

from vla_harness.benchmarks.perturb import DIMENSIONS, dimension
from vla_harness.benchmarks.perturb.sweep import PerturbSweep, parse_dimensions, parse_levels
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.types import EpisodeSpec, Perturbation


class _Base:
    """A stand-in base suite: two tasks x two trials with fixed seeds (the sweep only needs episodes/protocol)."""

    name = suite = "libero_spatial"

    def episodes(self, selection, run_seed):
        return [EpisodeSpec("libero_spatial", "libero_spatial", t, f"task{t}", "pick up the black bowl and place it "
                            "on the plate", trial=i, seed=1000 * t + i + run_seed, max_steps=220, init_state_index=i)
                for t in (0, 1) for i in (0, 1)]


def test_parse_dimensions_and_levels():
    assert parse_dimensions("camera, light") == ["camera", "light"]
    assert parse_dimensions("all") == list(DIMENSIONS)
    assert parse_levels("0-2,5") == [0, 1, 2, 5] and parse_levels(None) == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ConfigError, match="allowed: camera"):
        parse_dimensions("lighting")
    with pytest.raises(ConfigError, match="0-5"):
        parse_levels("0-7")
    with pytest.raises(ConfigError, match="unknown perturbation option"):
        PerturbSweep(_Base(), perturb="light", colour="red")


def test_expansion_is_paired_and_keys_name_dimension_and_level():
    sweep = PerturbSweep(_Base(), perturb="camera,language", levels="0-2")
    specs = sweep.episodes(BenchSelection(), run_seed=7)
    assert len(specs) == 4 * (1 + 2 * 2)  # shared level 0 + two dimensions x levels 1-2, per base episode
    first = [s for s in specs if (s.task_id, s.trial) == (0, 0)]
    assert [s.perturbation_id for s in first] == ["none-0", "camera-1", "camera-2", "language-1", "language-2"]
    assert {s.seed for s in first} == {7} and len({s.key for s in specs}) == len(specs)
    assert first[0].perturbation == Perturbation(dimension="none", level=0)
    assert first[0].key == "libero_spatial/libero_spatial/0/none-0/0"
    assert first[2].perturbation.params["yaw_deg"] == 2 * first[1].perturbation.params["yaw_deg"]
    single = PerturbSweep(_Base(), perturb="light", levels="0-1").episodes(BenchSelection(), 7)
    assert [s.perturbation_id for s in single[:2]] == ["light-0", "light-1"]  # one dimension: its own level 0
    per_dim = PerturbSweep(_Base(), perturb="camera,noise", levels="0,1", share_level0=False)
    ids = [s.perturbation_id for s in per_dim.episodes(BenchSelection(), 7)[:4]]
    assert ids == ["camera-0", "camera-1", "noise-0", "noise-1"]


@pytest.mark.parametrize("name", list(DIMENSIONS))
def test_level0_draws_nothing_and_same_seed_same_params(name):
    dim = dimension(name)
    assert dim.params(0, 123, {}) == {}
    top = dim.params(5, 123, {})
    assert top and top == dim.params(5, 123, {})
    assert top != dim.params(5, 124, {})


def test_protocol_hash_input_names_the_sweep():
    class Proto(_Base):
        def protocol(self):
            from vla_harness.harness.protocols import BenchProtocol

            return BenchProtocol("libero_spatial", 10, (0,) * 7, 7, 20.0, 220, 50, ("agentview",), "x")

    extra = PerturbSweep(Proto(), perturb="light", levels="0,3").protocol().extra
    assert extra["perturb"] == ["light"] and extra["levels"] == [0, 3] and extra["perturb_version"] >= 1


def test_language_levels_grow_and_are_deterministic():
    lang = dimension("language")
    text = "pick up the black bowl between the plate and the ramekin and place it on the plate"
    outs = [lang.instruction(text, lang.params(lv, 11, {})) for lv in range(1, 6)]
    assert all(o != text for o in outs) and len(set(outs)) == 5
    words = [len(o.split()) for o in outs]
    assert words[4] >= words[3] + 3 and words[3] >= words[2] + 3  # levels 4 and 5 each add a clause
    assert outs == [lang.instruction(text, lang.params(lv, 11, {})) for lv in range(1, 6)]
    assert "plate" in outs[4] and "ramekin" in outs[4]  # the objects the task names stay named


@pytest.mark.parametrize("kind,min_change", [("gaussian", 15.0), ("blur", 2.0), ("fog", 30.0)])
def test_noise_changes_the_image_by_a_measured_amount(kind, min_change):
    rng = np.random.default_rng(0)
    img = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
    img[:32] = 20  # an edge, so blur has something to smear
    noise = dimension("noise")
    params = noise.params(5, 3, {"noise_kinds": kind})
    out = noise.image(img, "agentview", params, step=0)
    assert out.dtype == np.uint8 and out.shape == img.shape
    assert np.abs(out.astype(float) - img).mean() > min_change
    assert np.array_equal(out, noise.image(img, "agentview", params, step=0))  # same seed and frame: same noise
    only_wrist = noise.params(5, 3, {"noise_kinds": kind, "noise_cameras": "robot0_eye_in_hand"})
    assert np.array_equal(noise.image(img, "agentview", only_wrist, 0), img)
    with pytest.raises(ConfigError, match="noise_kinds"):
        noise.params(1, 3, {"noise_kinds": "snow"})
    with pytest.raises(ConfigError, match="noise_cameras"):
        noise.params(1, 3, {"noise_cameras": "agentveiw"})
    with pytest.raises(ConfigError, match="world-fixed"):
        dimension("camera").params(1, 3, {"cameras": "robot0_eye_in_hand"})


def test_cli_flags_map_to_bench_options():
    from vla_harness.cli.commands.eval_cmd import config_from_args
    from vla_harness.cli.main import build_parser

    args = build_parser().parse_args(["eval", "--bench", "libero_spatial", "--perturb", "camera,light",
                                      "--levels", "0-2,5"])
    cfg = config_from_args(args)
    assert cfg.bench_options == {"perturb": ["camera", "light"], "levels": [0, 1, 2, 5]}


def test_libero_suites_take_only_sweep_options():
    from vla_harness.benchmarks.libero.suites import with_options

    assert isinstance(with_options("libero_goal", {"perturb": "light", "levels": [0, 1]}), PerturbSweep)
    with pytest.raises(ConfigError, match="perturb"):
        with_options("libero_goal", {"levels": [0, 1]})
