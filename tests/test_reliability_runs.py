"""One writer per run, the local runner's episode timeout, serve's host check, and the chaos test: 3 writers at one
run, the driver killed and resumed 5 times at seeded random points, ending with every key once and the same table."""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from vla_harness.cli.main import main
from vla_harness.harness.store import RunStore, read_records
from vla_harness.results.summary import summary_table

RUN = ["--bench", "fake", "--policy", "random", "--tasks", "0-4", "--trials", "4", "--max-steps", "10"]
N = 20
SLOW = ["-B", "step_delay_s=0.03"]  # ~0.4 s an episode: time to kill the driver mid-run (outcomes do not change)


def _child(argv: list[str], err: str) -> None:
    """A CLI process forked from this one (no interpreter start-up: writers race within milliseconds)."""
    sys.stderr = open(err, "w", buffering=1)
    sys.stdout = open(os.devnull, "w")
    code = main(argv)
    sys.stderr.flush()
    os._exit(code)


class Writer:
    def __init__(self, argv: list[str], tmp: Path, n: int) -> None:
        self.err = tmp / f"writer{n}.err"
        self.proc = multiprocessing.get_context("fork").Process(target=_child, args=(argv, str(self.err)))
        self.proc.start()
        self.pid = self.proc.pid

    def poll(self) -> int | None:
        return self.proc.exitcode

    def stderr(self) -> str:
        return self.err.read_text()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()


def _wait(cond, timeout_s: float = 60.0) -> None:
    deadline = time.time() + timeout_s
    while not cond():
        assert time.time() < deadline, "timed out waiting"
        time.sleep(0.02)


def _n_records(run: Path) -> int:
    path = run / "episodes.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path, capsys):
    run = tmp_path / "w"
    proc = Writer(["eval", *RUN, *SLOW, "--tasks", "0-2", "--out", str(tmp_path), "--name", "w", "--no-progress"],
                  tmp_path, 0)
    _wait(lambda: _n_records(run) >= 1)
    assert main(["resume", str(run), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"is being written by PID {proc.pid}" in err and err.count("\n") == 1
    assert main(["eval", *RUN, "--out", str(tmp_path), "--name", "w", "--no-progress"]) == 2
    assert f"PID {proc.pid}" in capsys.readouterr().err
    assert main(["check", str(run)]) == 0
    assert "STILL RUNNING" in capsys.readouterr().out
    proc.proc.join(timeout=120)
    assert proc.poll() == 0
    keys = Counter(r.key for r in read_records(run))
    assert len(keys) == 12 and set(keys.values()) == {1}
    assert RunStore(run).read_manifest()["status"] == "finished"


def test_local_runner_times_out_a_hung_env_and_goes_on(tmp_path, capsys):
    args = ["eval", "--bench", "fake", "--policy", "random", "--tasks", "0-2", "--trials", "2", "-B", "hang_tasks=[1]",
            "-B", "hang_s=20", "--set", "episode_timeout_s=0.5", "--out", str(tmp_path), "--name", "t", "--no-progress"]
    assert main(args) == 0
    recs = read_records(tmp_path / "t")
    by_task = Counter((r.spec.task_id, r.error.kind if r.error else "ok") for r in recs)
    assert by_task == {(0, "ok"): 2, (1, "timeout"): 2, (2, "ok"): 2}  # the episodes after the hang ran on a new env
    hung = next(r for r in recs if r.error)
    assert "ran over 0.5s" in hung.error.message and hung.success is None
    assert "errors left by kind: timeout 2" in _check(tmp_path / "t", capsys)


def _check(run: Path, capsys) -> str:
    capsys.readouterr()
    main(["check", str(run)])
    return capsys.readouterr().out


def test_serve_refuses_a_public_host_without_a_token(capsys, monkeypatch):
    from vla_harness.cli.commands.serve_cmd import _loopback

    monkeypatch.delenv("VLA_HARNESS_TOKEN", raising=False)
    assert main(["serve", "--policy", "zero", "--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0 without a token" in err and "--insecure" in err and err.count("\n") == 1
    assert _loopback("127.0.0.2") and _loopback("::1") and _loopback("localhost") and not _loopback("10.0.0.1")


def _writers(argv: list[str], tmp: Path, rng: random.Random) -> Writer:
    """Start 3 writers at one run, in a seeded order; return the one that holds it (the other two are refused)."""
    procs = [Writer(argv, tmp, n) for n in rng.sample(range(3), 3)]
    _wait(lambda: sum(p.poll() is not None for p in procs) >= 2)
    refused = [p for p in procs if p.poll() is not None]
    holder = next(p for p in procs if p not in refused)
    for p in refused:
        err = p.stderr()
        assert p.poll() == 2 and err.count("\n") == 1, err
        assert f"being written by PID {holder.pid}" in err or "already holds a run" in err, err
    return holder


def test_chaos_three_writers_five_kills_every_key_once_same_table(tmp_path):
    reference = tmp_path / "ref"
    assert main(["eval", *RUN, "--out", str(tmp_path), "--name", "ref", "--no-progress"]) == 0
    run, rng = tmp_path / "chaos", random.Random(16)
    create = ["eval", *RUN, *SLOW, "--out", str(tmp_path), "--name", "chaos", "--no-progress"]
    resume = ["resume", str(run), "--no-progress"]
    for round_ in range(5):  # round 0: three `eval --name chaos` at once (one creates the run); then three resumes
        before = _n_records(run)
        holder = _writers(create if round_ == 0 else resume, tmp_path, rng)
        target = before + rng.randint(0, 2)  # killed 0-2 records in, at a random moment of the next episode
        _wait(lambda: _n_records(run) >= target and (run / "manifest.json").exists())  # noqa: B023
        time.sleep(rng.uniform(0.0, 0.4))
        assert holder.poll() is None, "the run ended before the kill: slow the episodes down"
        holder.kill()
        print(f"round {round_}: writer {holder.pid} killed at {_n_records(run)} records")
    assert _n_records(run) < N, "the kills should have left work for the last resume"
    assert main(["resume", str(run), "--no-progress"]) == 0
    records = read_records(run)
    assert sorted(Counter(r.key for r in records).values()) == [1] * N  # every key exactly once, nothing twice
    assert summary_table(records) == summary_table(read_records(reference))
    assert RunStore(run).read_manifest()["status"] == "finished"
