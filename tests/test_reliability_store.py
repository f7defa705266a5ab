"""Store recovery, manifest status, readers' notes, validation and disk errors: each fault gives one line and loses
nothing (docs/reliability.md lists them)."""

from __future__ import annotations

import errno
import json
from collections import Counter

import pytest

from vla_harness.cli.main import main
from vla_harness.harness.store import CORRUPT, RunStore, read_records, scan_records
from vla_harness.results.synthetic import record, write_run

RUN = ["--bench", "fake", "--policy", "random", "--tasks", "0,1", "--trials", "3", "--no-progress"]


def _eval(tmp_path, name="r", *extra):
    assert main(["eval", *RUN, "--out", str(tmp_path), "--name", name, *extra]) == 0
    return tmp_path / name


def test_torn_tail_ending_in_a_newline_is_moved_aside_and_resume_goes_on(tmp_path, capsys):
    run = _eval(tmp_path)
    path = run / "episodes.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:4]) + '{"schema_version": 1, "key": "fake/re\n')  # torn, yet ends in a newline
    capsys.readouterr()
    assert len(read_records(run)) == 4
    assert f"{path}:5: torn last line ignored" in capsys.readouterr().err
    assert main(["resume", str(run), "--no-progress"]) == 0
    assert "moved to" in capsys.readouterr().err
    assert (run / CORRUPT).read_text() == '{"schema_version": 1, "key": "fake/re\n'  # kept, never deleted
    scan = scan_records(run)
    assert not scan.bad_lines and scan.torn_tail is None
    assert sorted(Counter(r.key for r in scan.records).values()) == [1] * 6


def test_garbage_line_in_the_middle_is_skipped_with_a_warning_and_check_fails(tmp_path, capsys):
    run = _eval(tmp_path)
    path = run / "episodes.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]) + "garbage\n" + "".join(lines[2:]))
    capsys.readouterr()
    assert main(["report", str(run)]) == 0  # readers go on past it, and say so
    cap = capsys.readouterr()
    assert f"{path}:3: unreadable record skipped" in cap.err and "| 0: task0" in cap.out
    assert main(["check", str(run)]) == 1
    assert f"FAIL {path}:3: unreadable record" in capsys.readouterr().out
    assert main(["report", "--strict", str(run)]) == 1
    assert main(["resume", str(run), "--no-progress"]) == 0  # the writer keeps the line where it is
    assert "garbage\n" in path.read_text() and len(read_records(run)) == 6


def test_duplicate_records_are_said_not_hidden(tmp_path, capsys):
    recs = [record("d", "fake", "reach", 0, t, True) for t in range(3)]
    run = write_run(tmp_path, "d", recs + [record("d", "fake", "reach", 0, 1, False)], bench="fake")
    assert main(["report", str(run)]) == 0
    assert "1 episode keys hold more than one final record (first: fake/reach/0/none/1" in capsys.readouterr().out
    assert main(["check", str(run)]) == 1
    assert main(["report", "--strict", str(run)]) == 1


def test_status_at_each_transition_and_readers_say_incomplete(tmp_path, capsys):
    run = _eval(tmp_path, "s", "-B", "broken_tasks=[1]")
    manifest = RunStore(run).read_manifest()
    assert manifest["status"] == "finished" and manifest["status_at"]
    capsys.readouterr()
    assert main(["check", str(run)]) == 0  # incomplete is not damage
    out = capsys.readouterr().out
    assert "INCOMPLETE: 3 of 6 planned episodes have an outcome; 0 not run, errors left by kind: env_error 3" in out
    manifest["status"] = "running"  # as a killed writer leaves it: the lock's holder is gone
    RunStore(run).write_manifest(manifest)
    assert main(["report", str(run)]) == 0
    assert "INTERRUPTED (status running, but its writer is gone)" in capsys.readouterr().out


def test_a_policy_that_ends_the_run_leaves_status_stopped_and_a_crash_failed(tmp_path, monkeypatch):
    from vla_harness.harness.protocols import StopRun
    from vla_harness.harness.runners import local

    def stopper(job, work, on_record, timeout_s=None):
        raise StopRun("server gone")

    run = _eval(tmp_path, "st2")
    with open(run / "episodes.jsonl", "r+") as f:
        lines = f.readlines()
        f.seek(0), f.truncate(), f.writelines(lines[:3])
    monkeypatch.setattr(local, "run_local", stopper)
    assert main(["eval", *RUN, "--out", str(tmp_path), "--name", "st"]) == 2
    assert not (tmp_path / "st").exists()  # nothing recorded: the run leaves no directory
    assert main(["resume", str(run)]) == 2
    assert RunStore(run).read_manifest()["status"] == "stopped"
    monkeypatch.setattr(local, "run_local", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["resume", str(run)])
    assert RunStore(run).read_manifest()["status"] == "failed"


@pytest.mark.parametrize("flags,message", [
    (["--max-steps", "-5"], "--max-steps must be an integer >= 1"),
    (["--max-steps", "0"], "--max-steps must be an integer >= 1"),
    (["--trials", "0"], "--trials must be 1-1000"),
    (["--tasks", "99"], "fake has tasks 0-9; got [99]"),
])
def test_bad_run_values_are_one_line_and_leave_nothing(tmp_path, capsys, flags, message):
    args = ["eval", "--bench", "fake", "--policy", "random", "--out", str(tmp_path), "--name", "v", *flags]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "v").exists()


def test_truncated_manifest_is_one_line_and_records_stay(tmp_path, capsys):
    run = _eval(tmp_path)
    text = (run / "manifest.json").read_text()
    (run / "manifest.json").write_text(text[: len(text) // 2])
    before = (run / "episodes.jsonl").read_bytes()
    capsys.readouterr()
    for cmd in (["report", str(run)], ["resume", str(run)], ["compare", str(run), str(run)], ["check", str(run)]):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        assert "manifest.json is unreadable" in err and err.count("\n") == 1
    assert (run / "episodes.jsonl").read_bytes() == before


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES])
def test_disk_full_or_permission_error_mid_run_is_one_line_and_resume_finishes(tmp_path, capsys, monkeypatch, err):
    original = RunStore.append
    calls = []

    def failing_append(self, rec):
        calls.append(rec.key)
        if len(calls) == 3:  # half a line reaches the disk, then the write fails
            with open(self.dir / "episodes.jsonl", "a") as f:
                f.write(json.dumps(rec.to_dict())[:40])
            raise OSError(err, errno.errorcode[err], str(self.dir / "episodes.jsonl"))
        original(self, rec)

    monkeypatch.setattr(RunStore, "append", failing_append)
    assert main(["eval", *RUN, "--out", str(tmp_path), "--name", "full"]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("error: ") and "every finished episode is on disk" in line and "episodes.jsonl" in line
    monkeypatch.setattr(RunStore, "append", original)
    assert len(read_records(tmp_path / "full")) == 2
    assert main(["resume", str(tmp_path / "full"), "--no-progress"]) == 0
    keys = Counter(r.key for r in read_records(tmp_path / "full"))
    assert len(keys) == 6 and set(keys.values()) == {1}


def test_resume_compares_the_stored_protocol_block_and_names_the_first_difference(tmp_path, capsys):
    run = _eval(tmp_path)
    manifest = RunStore(run).read_manifest()
    manifest["protocol"]["settle_steps"] = 5  # the hash is left alone: only the block says what changed
    manifest["protocol"]["cameras"] = ["agentview"]
    RunStore(run).write_manifest(manifest)
    capsys.readouterr()
    assert main(["resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert "protocol.cameras: ['agentview'] vs ['agentview', 'wrist'] (and 1 more)" in err and err.count("\n") == 1


def test_policy_faults_are_failures_in_their_own_column_and_env_errors_are_not(tmp_path, capsys):
    recs = [record("p", "fake", "reach", 0, t, True) for t in range(3)]
    recs += [record("p", "fake", "reach", 0, 3, None, error="nan_action"),
             record("p", "fake", "reach", 0, 4, None, error="env_error")]
    run = write_run(tmp_path, "p", recs, bench="fake")
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    row = next(ln for ln in out.splitlines() if "| 0: task_0" in ln)
    # 3 of 4 with an outcome (the NaN is a failure, counted apart too); the env error is outside n; 2 of 5 erred
    assert [c.strip() for c in row.strip("|").split("|")][3:] == ["75.0%!", "[30.1, 95.4]", "4", "1", "1"]
    assert "more than 5% of this cell's episodes ended in an error" in out
    assert main(["export", str(run), "--format", "csv"]) == 0
    assert "INCOMPLETE: 4 of 5 planned episodes have an outcome" in capsys.readouterr().err
