"""The viewer writes only into a folder of its own and copies or links only the run's own videos; secrets given as
options are used by the run but never stored or shown (docs/reliability.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vla_harness.cli.main import main
from vla_harness.harness.store import read_records
from vla_harness.harness.types import PolicySpec
from vla_harness.results.synthetic import record, write_run

SECRET = "s3cr3t-value"


def _run(tmp_path, name="r"):
    return write_run(tmp_path, name, [record(name, "fake", "reach", 0, t, t % 2 == 0) for t in range(3)], bench="fake")


def _one_line(capsys, rc_expected, argv) -> str:
    capsys.readouterr()
    assert main(argv) == rc_expected
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_view_out_that_is_a_file_is_one_line_and_the_file_stays(tmp_path, capsys):
    run, f = _run(tmp_path), tmp_path / "f"
    f.write_text("mine")
    assert "is a file" in _one_line(capsys, 2, ["view", str(run), "--out", str(f), "--no-plots"])
    assert "a part of it is a file" in _one_line(capsys, 2, ["view", str(run), "--out", str(f / "x"), "--no-plots"])
    assert f.read_text() == "mine"


def test_view_never_overwrites_a_folder_it_did_not_write(tmp_path, capsys):
    run, site = _run(tmp_path), tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("my own page")
    err = _one_line(capsys, 2, ["view", str(run), "--out", str(site), "--no-plots"])
    assert "holds files the viewer did not write" in err and (site / "index.html").read_text() == "my own page"
    fresh = tmp_path / "fresh"
    assert main(["view", str(run), "--out", str(fresh), "--no-plots"]) == 0
    assert main(["view", str(run), "--out", str(fresh), "--no-plots"]) == 0  # its own site: written again


def test_view_never_writes_inside_a_run_directory(tmp_path, capsys):
    run = _run(tmp_path)
    for out in (run, run / "site", run / "videos" / "x"):
        assert "run directory" in _one_line(capsys, 2, ["view", str(run), "--out", str(out), "--no-plots"])
    assert sorted(p.name for p in run.iterdir()) == ["episodes.jsonl", "manifest.json", "run.lock"]


@pytest.mark.parametrize("mode", ["copy", "link"])
def test_only_videos_inside_the_runs_own_videos_folder_are_copied_or_linked(tmp_path, capsys, mode):
    run = _run(tmp_path)
    (run / "videos").mkdir()
    (run / "videos" / "ok.mp4").write_bytes(b"video")
    (tmp_path / "outside.mp4").write_bytes(b"private")
    (run / "videos" / "sneaky.mp4").symlink_to(tmp_path / "outside.mp4")
    path = run / "episodes.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line, video in zip(lines, ["videos/ok.mp4", "../../../../../../../../etc/hostname", "videos/sneaky.mp4"]):
        line["video"] = video
    lines.append({**lines[0], "video": "/etc/hostname", "key": lines[0]["key"] + "x"})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    capsys.readouterr()
    assert main(["view", str(run), "--out", str(tmp_path / "site"), "--no-plots", "--videos", mode]) == 0
    placed = sorted(p.name for p in (tmp_path / "site" / "videos").rglob("*"))
    assert placed == ["ok.mp4", "run0"]
    err = capsys.readouterr().err
    assert err.count("outside the run's videos/ folder: not copied or linked") == 3


class TokenPolicy:
    """Needs its token to act: proves the secret reached the policy while never reaching the disk."""

    def __init__(self, token: str = "", api_key: str = "", url: str = "", chunk: int = 1) -> None:
        assert token == SECRET and api_key == SECRET, "the secret must reach the policy"
        self.chunk = chunk

    def spec(self) -> PolicySpec:
        return PolicySpec(name="token", cameras=(), image_size=0, chunk_len=1)

    def reset(self, task) -> None:
        pass

    def act(self, obs):
        return np.zeros((1, 7), np.float32)

    def close(self) -> None:
        pass


def test_secrets_are_used_but_never_stored_or_shown_and_resume_asks_for_them(tmp_path, capsys):
    policy = f"{__name__}:TokenPolicy"
    argv = ["eval", "--bench", "fake", "--policy", policy, "--tasks", "0", "--trials", "2", "--no-progress",
            "--out", str(tmp_path), "--name", "r", "-P", f"token={SECRET}", "-P", f"api_key={SECRET}",
            "--policy-url", f"ws://user:{SECRET}@127.0.0.1:9/?auth_token={SECRET}&x=1"]
    assert main(argv) == 0
    run = tmp_path / "r"
    assert len(read_records(run)) == 2
    assert main(["report", str(run)]) == 0
    assert main(["view", str(run), "--out", str(tmp_path / "site"), "--no-plots"]) == 0
    shown = capsys.readouterr()
    stored = "".join(p.read_text() for p in [*run.iterdir(), *(tmp_path / "site").iterdir()] if p.is_file())
    assert SECRET not in stored + shown.out + shown.err
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["config"]["policy_options"]["token"] == "<redacted>"
    assert manifest["config"]["policy_options"]["url"] == "ws://user:<redacted>@127.0.0.1:9/?auth_token=<redacted>&x=1"
    (run / "episodes.jsonl").write_text((run / "episodes.jsonl").read_text().splitlines(keepends=True)[0])
    err = _one_line(capsys, 2, ["resume", str(run)])
    assert "started with secret option(s) api_key, token, url, never stored" in err and "-P token=..." in err
    assert "not chunk" in _one_line(capsys, 2, ["resume", str(run), "-P", "chunk=2"])
    assert main(["resume", str(run), "--no-progress", "-P", f"token={SECRET}", "-P", f"api_key={SECRET}",
                 "-P", "url=ws://127.0.0.1:9"]) == 0
    assert len(read_records(run)) == 2 and SECRET not in (run / "manifest.json").read_text()
