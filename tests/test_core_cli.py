"""The CLI as a user meets it: list, eval, one-line errors."""

import subprocess
import sys
from pathlib import Path

from vla_harness.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vla_harness", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_list_shows_registered_names():
    out = _cli("list")
    assert out.returncode == 0
    for name in ("libero_spatial", "libero_90", "fake", "random", "zero"):
        assert name in out.stdout


def test_unknown_names_give_one_line_with_suggestion():
    out = _cli("eval", "--bench", "libero_spatil", "--policy", "random")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "Did you mean 'libero_spatial'" in out.stderr and "Allowed:" in out.stderr
    out = _cli("eval", "--bench", "fake", "--policy", "randm")
    assert out.returncode == 2 and "unknown policy 'randm'" in out.stderr


def test_eval_prints_success_table(tmp_path, capsys):
    code = main(["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0,1", "--trials", "2",
                 "--out", str(tmp_path), "--name", "t", "--no-progress", "-P", "chunk=4"])
    assert code == 0
    out = capsys.readouterr().out
    assert "95% CI (Wilson)" in out and "0.0%" in out and "**all tasks**" in out


def test_bad_values_are_one_line_errors(tmp_path, capsys):
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--trials", "0", "--out", str(tmp_path)]) == 2
    assert "--trials must be 1-1000" in capsys.readouterr().err
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--set", "colour=red", "--out", str(tmp_path)]) == 2
    assert "unknown config field(s) colour" in capsys.readouterr().err
    assert main(["resume", str(tmp_path / "nope")]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_unknown_constructor_options_name_the_allowed_ones(tmp_path, capsys):
    assert main(["eval", "--bench", "fake", "--policy", "zero", "-P", "colour=1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "policy 'zero' takes no option(s) colour; allowed: chunk, cameras, image_size" in err
    assert main(["eval", "--bench", "fake", "--policy", "zero", "-B", "sample=2", "--out", str(tmp_path)]) == 2
    assert "benchmark 'fake' takes no option(s) sample" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # a run that failed before its first episode leaves no directory


def test_missing_checkpoint_is_one_line_and_leaves_no_run_dir(tmp_path, capsys):
    code = main(["eval", "--bench", "fake", "--policy", "vla_jepa", "--checkpoint", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "runs"), "--name", "bad", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("error:") and "nope" in err[-1]
    assert not (tmp_path / "runs" / "bad").exists()
