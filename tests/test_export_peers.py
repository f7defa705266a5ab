"""`export --to lerobot|vla-eval`: the peers' own result JSON, checked against vla-eval's own aggregation code (the
pinned vla-eval 0.8.0) and against the fields lerobot's lerobot_eval.py writes (v0.6.1)."""

from __future__ import annotations

import json
import math

import pytest
from vla_eval.results.collector import _aggregate_metrics, _build_task_result

from vla_harness.cli.main import main
from vla_harness.results.synthetic import record, write_run

# lerobot v0.6.1 src/lerobot/scripts/lerobot_eval.py: eval_policy_all's return value and its per-group/overall dicts
LEROBOT_TOP = {"per_task", "per_group", "overall"}
LEROBOT_TASK_METRICS = {"sum_rewards", "max_rewards", "successes", "video_paths", "predicted_video_paths"}
LEROBOT_GROUP = {"avg_sum_reward", "avg_max_reward", "pc_success", "n_episodes", "video_paths", "predicted_video_paths"}
# vla-eval 0.8.0 results/export.py _build_aggregate, for a run without shards, server info or render metadata
VLA_EVAL_TOP = {"benchmark", "mode", "harness_version", "created_at", "tasks", "config", "eval_id", "seed",
                "metric_keys", "mean_success", "num_episodes_total", "num_errors"}


@pytest.fixture
def run_dir(tmp_path):
    recs = [record("r", "libero_spatial", "libero_spatial", t, i, (t + i) % 3 != 0) for t in range(3) for i in range(4)]
    recs[5] = record("r", "libero_spatial", "libero_spatial", 1, 1, None, error="nan_action")  # a policy fault
    recs.append(record("r", "libero_spatial", "libero_spatial", 2, 4, None, error="env_error"))  # left out
    return write_run(tmp_path, "r", recs, bench="libero_spatial")


def test_lerobot_eval_info_has_lerobots_fields_and_numbers(run_dir, capsys):
    assert main(["export", str(run_dir), "--to", "lerobot"]) == 0
    assert "12 episodes (1 env/infra errors and 0 skipped left out)" in capsys.readouterr().out
    info = json.loads((run_dir / "eval_info.json").read_text())
    assert set(info) == LEROBOT_TOP and set(info["per_group"]) == {"libero_spatial"}
    assert [(t["task_group"], t["task_id"]) for t in info["per_task"]] == [("libero_spatial", t) for t in range(3)]
    for task in info["per_task"]:
        assert set(task["metrics"]) == LEROBOT_TASK_METRICS and len(task["metrics"]["sum_rewards"]) == 4
    successes = [s for t in info["per_task"] for s in t["metrics"]["successes"]]
    group, overall = info["per_group"]["libero_spatial"], info["overall"]
    assert set(group) == LEROBOT_GROUP and set(overall) == LEROBOT_GROUP | {"eval_s", "eval_ep_s"}
    assert group["pc_success"] == pytest.approx(100 * sum(successes) / 12) == overall["pc_success"]
    assert overall["n_episodes"] == 12 and overall["avg_sum_reward"] is None  # not recorded: null, never invented
    assert math.isclose(overall["eval_ep_s"] * 12, overall["eval_s"])


def test_vla_eval_aggregate_is_what_vla_evals_own_code_computes(run_dir, capsys):
    assert main(["export", str(run_dir), "--to", "vla-eval"]) == 0
    body = json.loads((run_dir / "libero_spatial_aggregate.json").read_text())
    assert set(body) == VLA_EVAL_TOP | {"partial"}  # an env error is left to resume: partial, as vla-eval says
    keys = body["metric_keys"]
    for task in body["tasks"]:
        theirs = _build_task_result(task["task"], task["episodes"], keys)
        assert task == json.loads(json.dumps(theirs))
    episodes = [e for t in body["tasks"] for e in t["episodes"]]
    top: dict = {}
    _aggregate_metrics(top, episodes, keys)
    assert body["mean_success"] == top["mean_success"] and body["num_episodes_total"] == 12
    assert body["num_errors"] == 1 and [e["failure_reason"] for e in episodes if "failure_reason" in e] == [
        "nan_action (policy)"]
    assert body["seed"] == 7 and body["config"]["params"]["seed"] == 7


@pytest.mark.parametrize("extra, says", [(["--format", "csv"], "--format is for the flat table"),
                                         (["SECOND"], "exports one run")])
def test_bad_export_to_input_is_one_line(run_dir, capsys, extra, says):
    runs = [str(run_dir)] * (2 if "SECOND" in extra else 1)
    assert main(["export", *runs, "--to", "lerobot", *[a for a in extra if a != "SECOND"]]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
