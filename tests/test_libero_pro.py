"""LIBERO-PRO catalogue, refusals, selection, pairing, instructions, shipped environment suites: no simulator."""

from collections import Counter

import numpy as np
import pytest

from vla_harness.benchmarks.libero.bench import _suite
from vla_harness.benchmarks.libero_pro import catalog as cat
from vla_harness.benchmarks.libero_pro import envgen
from vla_harness.benchmarks.libero_pro.bench import LiberoProBenchmark
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection


def test_protocol_is_five_axes_of_four_suites_with_every_base_task():
    units = cat.catalog()
    assert len(units) == 4 * 5 * 10
    assert Counter((u.suite, u.dimension) for u in units) == {(s, a): 10 for s in cat.SUITES for a in cat.AXES}
    for u in units:  # the perturbed task names its base task; task_id is LIBERO's own order
        assert _suite(u.suite).get_task(u.task_id).name == u.task_name == _suite(u.pro_suite).get_task(u.pro_index).name
    assert {u.pro_suite for u in units if u.dimension == "position"} == {f"{s}_swap" for s in cat.SUITES}


def test_every_registered_suite_is_in_the_protocol_or_refused_with_a_reason():
    from libero.libero import benchmark

    protocol = set(cat.SUITES) | {cat.pro_suite(s, a) for s in cat.SUITES for a in cat.AXES}
    others = set(benchmark.get_benchmark_dict()) - protocol
    assert len(others) == 83 - len(protocol)
    assert {name for name in others if not cat.refusal(name)} == set()
    for name in protocol:
        assert cat.refusal(name) is None, name


@pytest.mark.parametrize("suites,axes,message", [
    (["libero_goal_temp"], None, "libero_goal_temp is refused: the official code's scratch suite"),
    (["libero_spatial_with_mug"], None, "is refused: a distractor/trigger suite"),
    (["libero_90"], None, "LIBERO-90 has no LIBERO-PRO perturbations"),
    (None, "semantic_ood", "axis 'semantic_ood' is refused: an earlier upstream draft's suite"),
    (None, "lighting", "unknown LIBERO-PRO axis 'lighting'; allowed: object (_object), position (_swap)"),
])
def test_bad_input_is_one_line_naming_what_is_allowed(suites, axes, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LiberoProBenchmark(axes=axes).episodes(BenchSelection(suites=suites), 0)


def test_sample_is_k_per_axis_and_suite_fixed_and_every_episode_is_paired_with_its_base():
    bench = LiberoProBenchmark(sample=2)
    specs = bench.episodes(BenchSelection(suites=("libero_spatial", "libero_goal"), trials=3), 7)
    assert specs == bench.episodes(BenchSelection(suites=("libero_spatial", "libero_goal"), trials=3), 7)
    perturbed = [s for s in specs if s.perturbation.dimension != cat.BASELINE]
    assert Counter((s.suite, s.perturbation.dimension) for s in perturbed) == {
        (s, a): 2 * 3 for s in ("libero_spatial", "libero_goal") for a in cat.AXES}
    base = {(s.suite, s.task_id, s.init_state_index): s for s in specs if s.perturbation.dimension == cat.BASELINE}
    for s in perturbed:  # same suite, base task, init state and seed as its base episode
        b = base[(s.suite, s.task_id, s.init_state_index)]
        assert b.seed == s.seed and b.max_steps == s.max_steps
    assert len({s.key for s in specs}) == len(specs)
    assert not any(s.perturbation.dimension == cat.BASELINE for s in LiberoProBenchmark(sample=1, base="false")
                   .episodes(BenchSelection(suites=("libero_10",)), 0))


def test_filters_protocol_steps_and_limits():
    specs = LiberoProBenchmark(axes="swap,env", protocol="vla-jepa").episodes(
        BenchSelection(suites=("libero_spatial",), tasks=(3,), trials=2), 0)
    assert Counter(s.perturbation.dimension for s in specs) == {"position": 2, "environment": 2, "none": 2}
    assert {s.max_steps for s in specs} == {250}  # the named protocol's libero_spatial steps
    assert {s.init_state_index for s in specs} == {0, 1}
    with pytest.raises(ConfigError, match="50 init states"):
        LiberoProBenchmark().episodes(BenchSelection(trials=51), 0)
    with pytest.raises(ConfigError, match="base tasks 0-9"):
        LiberoProBenchmark().episodes(BenchSelection(tasks=(10,)), 0)


def test_instruction_is_the_bddl_language_officially_and_libero_file_names_on_request():
    goal = BenchSelection(suites=("libero_goal",), tasks=(0,), trials=1)
    official = {s.perturbation.dimension: s.instruction for s in LiberoProBenchmark().episodes(goal, 0)}
    assert official["none"] == official["object"] == "open the middle layer of the drawer"  # the BDDL's words
    assert official["semantic"] == "open the cabinet’s middle drawer"
    assert official["task"] == "open the bottom drawer of the cabinet"
    libero = {s.perturbation.dimension: s.instruction
              for s in LiberoProBenchmark(instruction="libero").episodes(goal, 0)}
    assert libero["none"] == libero["position"] == "open the middle drawer of the cabinet"  # task.language
    assert libero["semantic"] == official["semantic"] and libero["task"] == official["task"]
    with pytest.raises(ConfigError, match="instruction must be one of official, libero"):
        LiberoProBenchmark(instruction="base")


def test_protocol_states_its_report_facts_and_the_shipped_environment_suites():
    p = LiberoProBenchmark().protocol()
    assert p.report["dimensions"] == list(cat.AXES) and len(p.report["paper"]["columns"]) == 21
    assert len(p.extra["environment_suites"]["files"]) == 40


def test_shipped_environment_suites_match_their_checksums_and_the_official_perturbator():
    manifest = cat.env_manifest()
    assert len(manifest["files"]) == 40 and manifest["seeds"].startswith("numpy.random.seed(i)")
    for key, entry in manifest["files"].items():
        suite, task = key.split("/")
        folder = envgen.OUT / suite
        assert envgen.file_digest(folder / entry["bddl"]) == entry["bddl_sha256"], key
        assert envgen.file_digest(folder / entry["init"]) == entry["init_sha256"], key
        states = np.load(folder / entry["init"])["states"]
        assert states.shape[0] == envgen.N_STATES and envgen.states_digest(states) == entry["states_sha256"]
        text = (folder / entry["bddl"]).read_text()
        assert text == envgen.env_bddl(suite.removesuffix("_env"), task)  # the official code writes it so
        assert "living_room_table" in text and "(problem LIBERO_Living_Room_Tabletop_Manipulation)" in text
