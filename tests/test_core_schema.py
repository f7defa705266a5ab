"""The record as a contract: schema_version is checked, older records are upgraded, unknown fields are ignored."""

import json

import pytest

from vla_harness import harness
from vla_harness.cli.resolve import evaluate
from vla_harness.harness.config import RunConfig
from vla_harness.harness.schema import SchemaError, record_from_dict
from vla_harness.harness.store import RunStore, read_records
from vla_harness.harness.types import EpisodeRecord, Perturbation, PolicyRef

# A record exactly as schema 1 wrote it (a LIBERO-Plus episode, perturbation as a free dict, no policy field).
V1_RECORD = {
    "schema_version": 1, "run_id": "old", "key": "libero_plus/libero_spatial/0/v-cam-1/0",
    "spec": {"bench": "libero_plus", "suite": "libero_spatial", "task_id": 0, "task_name": "t", "instruction": "go",
             "trial": 0, "seed": 3, "max_steps": 220, "init_state_index": 0,
             "perturbation": {"dimension": "camera", "difficulty": 2, "variant_id": "v-cam-1", "level": None,
                              "params": {"name": "t_view_1"}}},
    "success": True, "steps": 40, "error": None, "attempt": 1, "worker": "local",
    "time": {"wall_s": 1.0, "sim_s": 0.5, "render_s": 0.3, "policy_s": 0.1, "overhead_s": 0.1},
    "video": None, "metrics": {}, "finished_at": 0.0,
}


def test_a_schema_1_record_reads_with_a_typed_perturbation_and_the_runs_policy():
    rec = record_from_dict(V1_RECORD, run_policy="openvla")
    assert rec.spec.perturbation == Perturbation("camera", None, 2, "v-cam-1", {"name": "t_view_1"})
    assert rec.key == rec.spec.key and rec.policy == PolicyRef("openvla") and rec.schema_version == 2


def test_unknown_fields_are_ignored_at_every_level():
    d = {**V1_RECORD, "from_the_future": 1, "spec": {**V1_RECORD["spec"], "camera_rig": "x"},
         "time": {**V1_RECORD["time"], "gpu_s": 0.2}}
    d["spec"]["perturbation"] = {**d["spec"]["perturbation"], "severity_curve": [1, 2]}
    assert record_from_dict(d).spec.perturbation.variant_id == "v-cam-1"


def test_a_newer_schema_is_refused_in_one_line(tmp_path):
    newest = harness.SCHEMA_VERSION
    with pytest.raises(SchemaError, match=f"schema_version 99, this vla-harness reads versions 1-{newest}"):
        record_from_dict({**V1_RECORD, "schema_version": 99})
    (tmp_path / "episodes.jsonl").write_text(json.dumps({**V1_RECORD, "schema_version": 99}) + "\n")
    with pytest.raises(SchemaError, match="episodes.jsonl:1"):
        read_records(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"schema_version": 99, "config": {}}))
    with pytest.raises(SchemaError, match="manifest.json"):
        RunStore(tmp_path).read_manifest()


def test_records_round_trip_and_name_the_policy(tmp_path):
    summary = evaluate(RunConfig(bench="fake", policy="random", tasks=[0], trials=2, out=str(tmp_path), name="r"),
                       progress=False)
    rec = summary.records[0]
    assert rec.policy == PolicyRef("random", "1", "vla_harness.policies.random_policy:RandomPolicy", "random", {})
    assert rec.schema_version == harness.SCHEMA_VERSION
    assert EpisodeRecord.from_dict(json.loads(json.dumps(rec.to_dict()))) == rec


def test_a_mixed_file_of_old_and_new_records_reads_whole(tmp_path):
    summary = evaluate(RunConfig(bench="fake", policy="zero", tasks=[0], trials=1, out=str(tmp_path), name="r"),
                       progress=False)
    with open(summary.run_dir / "episodes.jsonl", "a") as f:
        f.write(json.dumps(V1_RECORD) + "\n")
    old = read_records(summary.run_dir)[-1]
    assert old.policy == PolicyRef("zero") and old.spec.perturbation.difficulty == 2


def test_targets_written_before_the_namespace_still_load():
    from vla_harness.harness.schema import current_target
    from vla_harness.harness.targets import load_target
    from vla_harness.policies.clients.remote import RemotePolicy

    assert current_target("policies.remote:RemotePolicy") == "vla_harness.policies.clients.remote:RemotePolicy"
    assert current_target("mypkg.mod:Factory") == "mypkg.mod:Factory"
    assert load_target("policies.remote:RemotePolicy") is RemotePolicy
