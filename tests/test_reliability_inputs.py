"""Bad input is one line and exit 2, never a traceback or a silently wrong run; a deleted run.lock lets no second
writer in; a stuck local policy costs one episode, not the run (docs/reliability.md)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter

import numpy as np
import pytest

from vla_harness.cli.main import main
from vla_harness.harness.store import read_records
from vla_harness.harness.types import PolicySpec

RUN = ["eval", "--bench", "fake", "--policy", "random", "--tasks", "0", "--trials", "1", "--no-progress"]


def _one_line(capsys, argv, rc=2) -> str:
    capsys.readouterr()
    assert main(argv) == rc
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("text,said", [
    ("bench: [fake\npolicy: zero\n", "is not valid YAML at line"),
    ("- fake\n- zero\n", "must hold a mapping"),
    ("bench: fake\ntrials: abc\n", 'config field trials must be an integer or null, got "abc"'),
    ("bench: fake\ntasks: 3\n", "config field tasks must be a list or null, got 3"),
    ("bench: fake\npolicy_options: [1]\n", "config field policy_options must be an object, got [1]"),
    ("bench: 5\n", "config field bench must be a string, got 5"),
])
def test_bad_yaml_syntax_or_types_are_one_line(tmp_path, capsys, text, said):
    (tmp_path / "c.yaml").write_text(text)
    assert said in _one_line(capsys, ["eval", "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]


def test_config_that_is_a_directory_is_one_line(tmp_path, capsys):
    assert "is not a YAML file" in _one_line(capsys, ["eval", "--config", str(tmp_path), "--out", str(tmp_path)])


@pytest.mark.parametrize("option,said", [
    ("chunk=abc", "policy 'random' option chunk must be an integer, got \"abc\""),
    ("scale=[1]", "policy 'random' option scale must be a number, got [1]"),
    ("chunk=0", "policy 'random' option chunk must be >= 1, got 0"),
    ("chunk=-3", "policy 'random' option chunk must be >= 1, got -3"),
])
def test_bad_policy_option_values_are_one_line_and_leave_no_run(tmp_path, capsys, option, said):
    assert said in _one_line(capsys, [*RUN, "-P", option, "--out", str(tmp_path), "--name", "r"])
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("policy", ["zero", "oracle"])
def test_other_chunked_baselines_refuse_a_chunk_below_one(tmp_path, capsys, policy):
    argv = ["eval", "--bench", "fake", "--policy", policy, "-P", "chunk=0", "--out", str(tmp_path)]
    assert "option chunk must be >= 1, got 0" in _one_line(capsys, argv)


def test_names_too_long_for_the_file_system_are_one_line(tmp_path, capsys):
    long = "n" * 300
    assert "at most 200 characters" in _one_line(capsys, [*RUN, "--out", str(tmp_path), "--name", long])
    assert "file name is too long" in _one_line(capsys, [*RUN, "--out", str(tmp_path / long)])
    assert "file name is too long" in _one_line(capsys, ["view", str(tmp_path), "--out", str(tmp_path / long)])


def test_repeated_tasks_run_once(tmp_path):
    assert main(["eval", "--bench", "fake", "--policy", "zero", "--tasks", "0,0,0,1,0", "--trials", "2",
                 "--no-progress", "--out", str(tmp_path), "--name", "r"]) == 0
    keys = Counter(r.key for r in read_records(tmp_path / "r"))
    assert len(keys) == 4 and set(keys.values()) == {1}
    from vla_harness.harness.store import RunStore

    manifest = RunStore(tmp_path / "r").read_manifest()
    assert manifest["config"]["tasks"] == [0, 1] and manifest["n_episodes"] == 4


def test_absurd_trials_are_refused_before_anything_is_planned(tmp_path, capsys):
    t0 = time.monotonic()
    err = _one_line(capsys, ["eval", "--bench", "fake", "--policy", "zero", "--trials", "99999999999",
                             "--out", str(tmp_path)])
    assert "--trials must be 1-1000" in err and time.monotonic() - t0 < 5 and not list(tmp_path.iterdir())


HOLD = """
import sys, time
from vla_harness.harness import runlock
runlock.acquire(sys.argv[1])
print("held", flush=True)
time.sleep(60)
"""


def test_deleting_run_lock_lets_no_second_writer_in(tmp_path, capsys):
    assert main([*RUN, "--out", str(tmp_path), "--name", "r"]) == 0
    run = tmp_path / "r"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(run)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        (run / "run.lock").unlink()  # a user tidying up while the run is written
        err = _one_line(capsys, ["resume", str(run), "--no-progress"])
        assert f"is being written by PID {holder.pid}" in err  # read from the kernel's lock table
        from vla_harness.harness import runlock

        assert runlock.is_held(run)
    finally:
        holder.kill()
        holder.wait()
    assert main(["resume", str(run), "--no-progress"]) == 0  # the writer gone, the run is free again


class LockedPolicy:
    """A policy whose act() sticks once inside its own lock (a deadlocked client): every later call would wait."""

    built = 0
    release = threading.Event()

    def __init__(self, stick_on_call: int = 3) -> None:
        LockedPolicy.built += 1
        self.lock, self.calls, self.stick = threading.Lock(), 0, stick_on_call if LockedPolicy.built == 1 else -1

    def spec(self) -> PolicySpec:
        return PolicySpec(name="locked", cameras=(), image_size=0, chunk_len=1)

    def reset(self, task) -> None:
        with self.lock:
            pass

    def act(self, obs):
        with self.lock:
            self.calls += 1
            if self.calls == self.stick:
                LockedPolicy.release.wait(60)
            return np.zeros((1, 7), np.float32)

    def close(self) -> None:
        pass


def test_a_timed_out_local_episode_gets_a_fresh_policy(tmp_path):
    LockedPolicy.built = 0
    LockedPolicy.release.clear()
    try:
        assert main(["eval", "--bench", "fake", "--policy", f"{__name__}:LockedPolicy", "--tasks", "0-3", "--trials",
                     "1", "--set", "episode_timeout_s=1", "--no-progress", "--out", str(tmp_path), "--name", "r"]) == 0
    finally:
        LockedPolicy.release.set()
    kinds = [r.error.kind if r.error else "ok" for r in read_records(tmp_path / "r")]
    assert kinds == ["timeout", "ok", "ok", "ok"] and LockedPolicy.built == 2
