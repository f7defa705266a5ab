"""Recorder round trip on the pure-numpy benchmark: record, read back, compare shapes, dtypes and actions exactly."""

import dataclasses
import json

import h5py
import numpy as np
import pytest

from vla_harness.cli.main import main
from vla_harness.cli.resolve import targets_for
from vla_harness.policies.random_policy import RandomPolicy
from vla_harness.recording.reader import DatasetError, read_dataset
from vla_harness.recording.record import RecordConfig, record


def _expected_actions(spec_key_seed: int, n: int) -> np.ndarray:
    """The random policy's stream for one episode (chunk 1), regenerated independently of the recorder."""
    from vla_harness.harness.types import TaskInfo

    policy = RandomPolicy(chunk=1, seed=0)
    policy.reset(TaskInfo("fake", "reach", 0, "t", "i", seed=spec_key_seed))
    return np.concatenate([policy.act(None) for _ in range(n)])


def test_round_trip_keeps_every_step_and_exact_actions(tmp_path):
    out = tmp_path / "ds"
    summary = record(RecordConfig(bench="fake", policy="random", out=str(out), tasks=(0, 1), trials=2, size=24,
                                  keep="all", policy_options={"chunk": 1, "seed": 0}), targets_for("fake", "random"))
    assert summary.attempted == summary.kept == 4 and summary.errors == 0
    log = [json.loads(line) for line in (out / "record_log.jsonl").read_text().splitlines()]
    episodes = read_dataset(out)
    assert [e.name.split("/")[1] for e in episodes] == ["demo_0", "demo_1"] * 2
    for entry, ep in zip(log, episodes):
        steps = entry["steps"]
        assert len(ep) == steps and ep.fps == 10.0 and ep.success == bool(entry["success"])
        assert ep.instruction == entry["spec"]["instruction"] and ep.task_name == entry["spec"]["task_name"]
        for key in ("agentview", "eye_in_hand"):
            assert ep.frames[key].shape == (steps, 24, 24, 3) and ep.frames[key].dtype == np.uint8
        assert ep.actions.dtype == np.float32 and ep.actions.shape == (steps, 7)
        # The settle steps are not recorded: the first recorded action is the policy's first.
        np.testing.assert_array_equal(ep.actions, _expected_actions(entry["spec"]["seed"], steps))


def test_keep_success_drops_failures_appends_and_skips_what_the_log_holds(tmp_path):
    out = tmp_path / "ds"
    cfg = RecordConfig(bench="fake", policy="random", out=str(out), tasks=(0,), trials=3, size=16)
    first = record(cfg, targets_for("fake", "random"))
    assert first.kept == first.successes and first.attempted == 3
    assert record(cfg, targets_for("fake", "random")).attempted == 0  # a repeated call records nothing twice
    more = dataclasses.replace(cfg, first_trial=3, trials=5)
    second = record(more, targets_for("fake", "random"))
    assert second.attempted == 5
    episodes = read_dataset(out)
    assert len(episodes) == first.kept + second.kept and all(e.success for e in episodes)
    if episodes:
        with h5py.File(next(out.glob("*.hdf5")), "r") as f:
            assert f["data"].attrs["num_demos"] == len(episodes)
            assert json.loads(f["data"].attrs["problem_info"])["language_instruction"] == "reach target 0"


def test_reader_flips_libero_original_files(tmp_path):
    frames = np.arange(2 * 4 * 4 * 3, dtype=np.uint8).reshape(2, 4, 4, 3)
    path = tmp_path / "orig_demo.hdf5"
    with h5py.File(path, "w") as f:
        f.create_group("data").attrs["problem_info"] = json.dumps({"language_instruction": "do it"})
        demo = f.create_group("data/demo_0")
        demo.create_dataset("actions", data=np.zeros((2, 7)))
        demo.create_dataset("obs/agentview_rgb", data=frames)
    (ep,) = read_dataset(path)
    assert ep.instruction == "do it" and ep.fps == 20.0 and ep.actions.dtype == np.float32
    np.testing.assert_array_equal(ep.frames["agentview"], frames[:, ::-1, ::-1])


def test_dataset_info_and_bad_paths(tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["record", "--bench", "fake", "--policy", "random", "--tasks", "2", "--trials", "2", "--keep", "all",
                 "--size", "16", "--out", str(out), "--quiet"]) == 0
    assert main(["dataset", "info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 episodes in 1 files" in text and (out / "contact_sheet.png").stat().st_size > 0
    assert main(["dataset", "info", str(tmp_path / "missing")]) == 2
    assert "no dataset at" in capsys.readouterr().err
    with pytest.raises(DatasetError):
        read_dataset(tmp_path)
    assert main(["record", "--bench", "fake", "--policy", "random", "--keep", "some", "--out", str(out)]) == 2


def test_frame_every_renders_every_kth_step_and_keeps_every_action(tmp_path):
    out = tmp_path / "strided"
    record(RecordConfig(bench="fake", policy="random", out=str(out), tasks=(0,), trials=1, size=16, keep="all",
                        frame_every=3, policy_options={"chunk": 1, "seed": 0}), targets_for("fake", "random"))
    ep = read_dataset(out)[0]
    steps = len(ep.actions)
    assert len(ep) == steps and ep.gripper_states.shape[0] == steps
    np.testing.assert_array_equal(ep.frame_steps, np.arange(0, steps, 3))
    assert ep.frames["agentview"].shape[0] == len(ep.frame_steps)
    with h5py.File(next(out.glob("*.hdf5")), "r") as f:
        assert f["data/demo_0"].attrs["frame_every"] == 3
    with pytest.raises(Exception, match="--frame-every must be >= 1"):
        RecordConfig(bench="fake", policy="random", out=str(out), frame_every=0).validate()


class _LiberoState:
    """Offers LIBERO's robot state keys (robosuite names) and upright frames, without a simulator."""

    def __init__(self, state: dict) -> None:
        self.state = state

    def observe(self, cameras, size, state_keys=()):
        from vla_harness.harness.types import Observation

        return Observation({}, {k: self.state[k] for k in state_keys}, "", 0)

    def video_frame(self, camera, size):
        return np.zeros((size, size, 3), np.uint8)


def test_the_recorder_reads_libero_state_through_the_conversion_layer():
    from tests.test_official_clients import official_quat2axisangle
    from vla_harness.benchmarks.libero.protocol import libero_protocol
    from vla_harness.recording.capture import DemoRecorder

    rng = np.random.default_rng(3)
    quat = rng.normal(size=4)
    state = {"robot0_eef_pos": rng.normal(size=3), "robot0_eef_quat": quat / np.linalg.norm(quat),
             "robot0_gripper_qpos": rng.normal(size=2), "robot0_joint_pos": rng.normal(size=7)}
    recorder = DemoRecorder(("agentview", "robot0_eye_in_hand"), 8, libero_protocol("libero_spatial"))
    recorder.before_step(_LiberoState(state), np.zeros(7))
    buffer = recorder.buffer
    ee = np.concatenate([state["robot0_eef_pos"], official_quat2axisangle(state["robot0_eef_quat"])])
    np.testing.assert_array_equal(buffer.ee_states[0], ee.astype(np.float32))  # LIBERO's ee_states layout
    np.testing.assert_array_equal(buffer.gripper_states[0], state["robot0_gripper_qpos"].astype(np.float32))
    np.testing.assert_array_equal(buffer.joint_states[0], state["robot0_joint_pos"].astype(np.float32))
