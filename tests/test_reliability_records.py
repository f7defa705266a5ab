"""Records and manifests are a contract: a field of the wrong type is named, never trusted and never a traceback;
a protocol block edited after the run no longer gives its hash, and every reader says so (docs/reliability.md)."""

from __future__ import annotations

import json

import pytest

from vla_harness.cli.main import main
from vla_harness.harness.runs import open_run
from vla_harness.harness.schema import SchemaError, manifest_from_dict, record_from_dict
from vla_harness.harness.store import RunStore
from vla_harness.results.synthetic import record, write_run


def _run(tmp_path, name="r", outcomes=(True, False, True, False)):
    return write_run(tmp_path, name, [record(name, "fake", "reach", 0, t, ok) for t, ok in enumerate(outcomes)],
                     bench="fake")


def _edit_line(run, index: int, field: str, value) -> None:
    path = run / "episodes.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[index][field] = value
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


@pytest.mark.parametrize("field,value,why", [
    ("time", None, "time must be an object, got null"),
    ("error", "boom", 'error must be an object or null, got "boom"'),
    ("spec", None, "spec must be an object, got null"),
    ("success", "false", 'success must be true or false or null, got "false"'),
    ("steps", 3.5, "steps must be an integer, got 3.5"),
    ("attempt", True, "attempt must be an integer, got true"),
])
def test_an_ill_typed_record_is_skipped_naming_its_line_and_check_fails(tmp_path, capsys, field, value, why):
    run = _run(tmp_path)
    _edit_line(run, 1, field, value)
    capsys.readouterr()
    assert main(["report", str(run)]) == 0  # the other records still report
    err = capsys.readouterr().err
    assert f"{run / 'episodes.jsonl'}:2: unreadable record skipped ({why})" in err and "Traceback" not in err
    assert main(["check", str(run)]) == 1
    assert f"FAIL {run / 'episodes.jsonl'}:2: unreadable record ({why})" in capsys.readouterr().out
    assert main(["report", "--strict", str(run)]) == 1
    assert len(open_run(run, warn=False).records) == 3


def test_string_successes_never_count_as_successes(tmp_path, capsys):
    outcomes = [True] * 10 + [False] * 10
    run = _run(tmp_path, outcomes=outcomes)
    for i in range(10, 15):
        _edit_line(run, i, "success", "false")
    stored = open_run(run, warn=False)
    assert len(stored.records) == 15 and sum(r.success for r in stored.records) == 10  # 10 of 15, never 15 of 20
    assert [n for n, _ in stored.bad_lines] == [11, 12, 13, 14, 15]
    assert main(["check", str(run)]) == 1


def test_nested_fields_are_checked_too_and_unknown_ones_still_ignored():
    rec = json.loads(json.dumps(record("r", "fake", "reach", 0, 0, True).to_dict()))
    bad = {**rec, "spec": {**rec["spec"], "task_id": "0"}}
    with pytest.raises(ValueError, match='spec.task_id must be an integer, got "0"'):
        record_from_dict(bad)
    bad = {**rec, "time": {**rec["time"], "wall_s": "fast"}}
    with pytest.raises(ValueError, match='time.wall_s must be a number, got "fast"'):
        record_from_dict(bad)
    with pytest.raises(ValueError, match="key is missing"):
        record_from_dict({k: v for k, v in rec.items() if k != "key"})
    assert record_from_dict({**rec, "new_field": [1], "policy": {**rec["policy"], "version": 3}}).key == rec["key"]


@pytest.mark.parametrize("field,value,why", [
    ("n_episodes", "many", 'n_episodes must be an integer or null, got "many"'),
    ("config", [], "it is not a run manifest (no 'config' object)"),
    ("protocol", "x", 'protocol must be an object, got "x"'),
    ("run_id", 5, "run_id must be a string or null, got 5"),
    ("schema_version", "2", 'schema_version must be an integer >= 1, got "2"'),
])
def test_a_manifest_of_valid_json_but_wrong_types_is_one_line_naming_the_field(tmp_path, capsys, field, value, why):
    run = _run(tmp_path)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest[field] = value
    (run / "manifest.json").write_text(json.dumps(manifest))
    for cmd in (["report", str(run)], ["check", str(run)], ["resume", str(run)],
                ["view", str(run), "--out", str(tmp_path / "site"), "--no-plots"]):
        capsys.readouterr()
        assert main(cmd) == 2, cmd
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and why in err and "manifest.json does not fit the run manifest schema" in err


def test_config_fields_of_a_manifest_are_checked():
    with pytest.raises(SchemaError, match="config.trials must be an integer or null"):
        manifest_from_dict({"config": {"bench": "fake", "policy": "zero", "trials": "3"}}, "m")
    with pytest.raises(SchemaError, match="config.bench must be a string"):
        manifest_from_dict({"config": {"policy": "zero"}}, "m")


def test_an_edited_protocol_block_is_said_by_report_check_and_view(tmp_path, capsys):
    run = _run(tmp_path)
    manifest = RunStore(run).read_manifest()
    manifest["protocol"]["max_steps"] = 5  # edited by hand; the hash left as it was
    RunStore(run).write_manifest(manifest)
    said = "the protocol block in its manifest does not match its protocol hash"
    capsys.readouterr()
    assert main(["report", str(run)]) == 0 and said in capsys.readouterr().out
    assert main(["report", "--strict", str(run)]) == 1
    assert main(["check", str(run)]) == 1 and said in capsys.readouterr().out
    assert main(["view", str(run), "--out", str(tmp_path / "site"), "--no-plots"]) == 0
    assert said in (tmp_path / "site" / "data.js").read_text()
    untouched = _run(tmp_path, "clean")
    assert open_run(untouched, warn=False).hash_problem() is None
    assert main(["check", str(untouched)]) == 0
