"""`eval` never deletes or writes into what it did not create (issue: a failed start removed user folders)."""

from __future__ import annotations

import threading

import pytest

from vla_harness.cli.main import main
from vla_harness.cli.resolve import evaluate
from vla_harness.harness.config import ConfigError, RunConfig
from vla_harness.harness.store import read_records


class BrokenCheckpoint:
    """A policy that fails when it is built, after the run directory exists (like a checkpoint that does not load)."""

    def __init__(self) -> None:
        raise ConfigError("checkpoint /nowhere/model.safetensors not found")


# A run that fails before its first episode. (A typo in -P, the example, is now refused before any folder.)
BAD_OPTION = ["--bench", "fake", "--policy", f"{__name__}:BrokenCheckpoint", "--tasks", "0", "--trials", "1",
              "--no-progress"]


def _finished_run(out, name: str, trials: int = 4):
    return evaluate(RunConfig(bench="fake", policy="zero", tasks=[0], trials=trials, out=str(out), name=name),
                    progress=False)


def test_failed_start_keeps_a_users_folder_and_its_files(tmp_path, capsys):
    (tmp_path / "mydata").mkdir()
    (tmp_path / "mydata" / "notes.txt").write_text("notes")
    assert main(["eval", *BAD_OPTION, "--out", str(tmp_path), "--name", "mydata"]) == 2
    assert (tmp_path / "mydata" / "notes.txt").read_text() == "notes"
    err = capsys.readouterr().err
    assert "is not empty and is not a run directory" in err and err.strip().count("\n") == 0


def test_failed_start_in_an_empty_folder_it_did_not_make_keeps_the_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["eval", *BAD_OPTION, "--out", str(tmp_path), "--name", "empty"]) == 2
    assert (tmp_path / "empty").is_dir() and list((tmp_path / "empty").iterdir()) == []


def test_failed_start_removes_the_folder_it_made(tmp_path, capsys):
    assert main(["eval", *BAD_OPTION, "--out", str(tmp_path / "new"), "--name", "r"]) == 2
    assert not (tmp_path / "new" / "r").exists()
    assert "removed" in capsys.readouterr().err  # it was made, then removed: the failure came after the start


def test_a_typo_in_a_policy_option_creates_nothing(tmp_path, capsys):
    argv = ["eval", "--bench", "fake", "--policy", "random", "-P", "chunck=4", "--out", str(tmp_path), "--name", "m"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "takes no option(s) chunck; allowed: chunk, scale, seed" in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", [".", "..", "a/b", "/tmp/x", "x\ny", "n" * 300, "", "..\\x"])
def test_names_that_are_not_one_plain_component_are_refused(tmp_path, capsys, name):
    sibling = _finished_run(tmp_path / "out", "done")
    assert main(["eval", *BAD_OPTION, "--out", str(tmp_path / "out"), "--name", name]) == 2
    err = capsys.readouterr().err
    assert "--name must be one plain folder name" in err and err.strip().count("\n") == 0
    assert len(read_records(sibling.run_dir)) == 4  # the sibling run and its parents are untouched
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["done"]


def test_out_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path / 'f'} is a file" in err and err.strip().count("\n") == 0
    assert (tmp_path / "f").read_text() == "x"
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--out", str(tmp_path / "f" / "deeper")]) == 2
    assert "is a file (or a part of it is)" in capsys.readouterr().err


def test_runs_started_in_the_same_second_get_distinct_default_names(tmp_path):
    cfg = RunConfig(bench="fake", policy="zero", tasks=[0], trials=1, out=str(tmp_path))
    dirs, errors = [], []

    def one() -> None:
        try:
            dirs.append(evaluate(cfg, progress=False).run_dir)
        except Exception as exc:  # collected: a collision must fail the test, not vanish in a thread
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(set(dirs)) == 3
    assert all(len(read_records(d)) == 1 for d in dirs)


def test_default_name_of_a_module_factory_policy_has_no_colon(tmp_path):
    summary = evaluate(RunConfig(bench="fake", policy="vla_harness.policies.zero_policy:ZeroPolicy", tasks=[0],
                                 trials=1, out=str(tmp_path)), progress=False)
    assert ":" not in summary.run_dir.name
