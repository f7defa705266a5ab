"""`-P key=a,b` / `-B key=a,b`: list-valued options (from the factory's annotations) become lists, for every factory."""

from __future__ import annotations

import pytest

from vla_harness.cli.main import main
from vla_harness.cli.resolve import build_benchmark, build_policy
from vla_harness.harness.config import ConfigError, parse_kv
from vla_harness.harness.options import list_options


def _opts(*items: str) -> dict:
    return parse_kv(list(items), "-P/--policy-opt")


def test_comma_list_and_single_name_become_lists():
    two = build_policy("zero", _opts("cameras=agentview,robot0_eye_in_hand"))
    assert two.cameras == ("agentview", "robot0_eye_in_hand")  # not a tuple of characters
    assert build_policy("zero", _opts("cameras=agentview")).cameras == ("agentview",)
    assert build_policy("zero", _opts("cameras=[agentview, wrist]")).cameras == ("agentview", "wrist")  # YAML list


def test_item_types_follow_the_annotation_and_bad_items_are_one_line():
    bench = build_benchmark("fake", parse_kv(["broken_tasks=1,3", "hang_tasks=2"], "-B/--bench-opt"))
    assert bench.broken_tasks == {1, 3} and bench.hang_tasks == {2}
    with pytest.raises(ConfigError, match="broken_tasks takes a comma-separated list of int") as info:
        build_benchmark("fake", parse_kv(["broken_tasks=1,x"], "-B/--bench-opt"))
    assert "\n" not in str(info.value)


def test_which_options_are_lists_is_read_from_every_registered_factory():
    from vla_harness.benchmarks import BENCHMARKS
    from vla_harness.harness.targets import load_target
    from vla_harness.policies import POLICIES

    found = {name: list_options(load_target(POLICIES.target(name))) for name in POLICIES.names()}
    assert set(found["zero"]) == {"cameras"} and set(found["remote"]) >= {"cameras", "state_keys"}
    assert found["random"] == {} and found["openpi"] == {}
    assert set(list_options(load_target(BENCHMARKS.target("fake")))) == {"broken_tasks", "hang_tasks"}


def test_cli_runs_with_a_comma_list(tmp_path, capsys):
    argv = ["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0", "--trials", "1", "--max-steps", "2",
            "--out", str(tmp_path), "--no-progress", "-P", "cameras=agentview,wrist"]
    assert main(argv) == 0
