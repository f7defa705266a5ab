"""LIBERO-Para: the shipped data is the official data (CSV checksum, all 4,092 BDDL files rebuilt byte for byte, init
states and LIBERO-Goal BDDLs equal to LIBERO-Para's), the taxonomy, sampling, pairing and PRIDE: no simulator."""

from collections import Counter

import pytest

from vla_harness.benchmarks.libero.bench import _suite
from vla_harness.benchmarks.libero_para import catalog as cat
from vla_harness.benchmarks.libero_para.bench import LiberoParaBenchmark
from vla_harness.benchmarks.libero_para.source import verify
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection


def test_shipped_data_is_the_official_data():
    assert verify() == []
    src = cat.source()
    assert src["repo"] == "cau-hai-lab/LIBERO-Para" and len(src["commit"]) == 40
    assert src["paraphrase_bddl"]["files"] == 4092 and "MIT" in (cat.HERE / "LICENSE").read_text()


def test_taxonomy_counts_and_tasks():
    ps = cat.catalog()
    assert len(ps) == 4092 and len({p.name for p in ps}) == 4092
    assert Counter(p.dimension for p in ps) == {"compositional": 2963, "action": 870, "object": 259}
    assert len({(p.object_type, p.action_type) for p in ps}) == 43  # the paper's 43 paraphrase types
    assert {p.object_type for p in ps} == set(cat.OBJECT_TYPES)
    assert {p.action_type for p in ps} == set(cat.ACTION_TYPES)
    assert all(p.object_type == cat.NONE for p in ps if p.dimension == "action")
    goal = _suite("libero_goal")
    for p in ps:  # eval id k is the k-th LIBERO-Goal BDDL by name; the original is LIBERO's own instruction
        assert goal.get_task(p.task_id).name == p.task_name == cat.goal_tasks()[1][p.eval_id]
        assert goal.get_task(p.task_id).language == p.original


def test_paraphrase_distance_and_one_row_by_hand():
    p = cat.catalog()[0]
    assert p.name == "act_lexical_addition_deletion_eval0_ver0" and p.instruction.startswith("gently open")
    assert p.pd() == pytest.approx(1 - (0.5 * 1.0 + 0.5 * 0.9333333333333333))
    assert p.pd(alpha=1.0) == pytest.approx(0.0)


def test_sample_is_k_per_axis_paired_with_base_episodes_on_init_state_0():
    bench = LiberoParaBenchmark(sample=3)
    specs = bench.episodes(BenchSelection(), 0)
    assert specs == bench.episodes(BenchSelection(), 0)
    perturbed = [s for s in specs if s.perturbation.dimension != "none"]
    assert Counter(s.perturbation.dimension for s in perturbed) == {a: 3 for a in cat.AXES}
    base = {s.task_id: s for s in specs if s.perturbation.dimension == "none"}
    assert set(base) == {s.task_id for s in perturbed}
    for s in perturbed:
        assert s.init_state_index == 0 and s.max_steps == 300 and s.seed == base[s.task_id].seed
        assert s.instruction != base[s.task_id].instruction
        assert {"object", "action", "pd", "sk", "st", "name"} <= set(s.perturbation.params)
    assert base[perturbed[0].task_id].instruction == _suite("libero_goal").get_task(perturbed[0].task_id).language


def test_filters_and_errors():
    specs = LiberoParaBenchmark(axes="obj").episodes(BenchSelection(tasks=(2,)), 0)
    assert {s.task_id for s in specs} == {2} and {s.perturbation.dimension for s in specs} == {"object", "none"}
    assert len([s for s in specs if s.perturbation.dimension == "object"]) == sum(
        1 for p in cat.catalog() if p.task_id == 2 and p.dimension == "object")
    with pytest.raises(ConfigError, match="unknown LIBERO-Para axis verb; allowed: object, action, compositional"):
        LiberoParaBenchmark(axes="verb")
    with pytest.raises(ConfigError, match="runs on libero_goal only"):
        LiberoParaBenchmark().episodes(BenchSelection(suites=("libero_spatial",)), 0)
    with pytest.raises(ConfigError, match="--sample must be >= 1"):
        LiberoParaBenchmark(sample=0)


def test_protocol_states_the_data_and_report_facts():
    p = LiberoParaBenchmark().protocol()
    assert p.extra["paraphrases"] == 4092 and p.extra["data"]["metadata_sha256"] == cat.source()["metadata"]["sha256"]
    assert p.report["weighted"]["param"] == "pd" and p.report["grid"]["rows"] == "object"
    assert [c["metric"] for c in p.report["paper"]["columns"]] == ["libero_goal", "libero_para", "drop", "pride"]
