"""Real LIBERO: the oracle solves a task under the published protocol, and a recorded demo reads back intact."""

import json

import numpy as np
import pytest

from vla_harness.cli.resolve import evaluate, targets_for
from vla_harness.harness.config import RunConfig
from vla_harness.recording.reader import read_dataset
from vla_harness.recording.record import RecordConfig, record

pytestmark = pytest.mark.sim

# libero_spatial task 0, init state 0: the oracle's shortest episode here (about 100 policy steps).
SUITE, TASK = "libero_spatial", 0


def test_oracle_solves_a_real_task_through_eval(tmp_path):
    cfg = RunConfig(bench=SUITE, policy="oracle", tasks=[TASK], trials=1, out=str(tmp_path), name="oracle")
    summary = evaluate(cfg, progress=False)
    (rec,) = summary.records
    assert rec.error is None, rec.error
    assert rec.success is True and rec.steps < 220
    assert rec.time.render_s < 0.5  # privileged and camera-less: nothing is rendered


def test_recorded_oracle_demo_round_trips(tmp_path):
    out = tmp_path / "demos"
    summary = record(RecordConfig(bench=SUITE, policy="oracle", out=str(out), tasks=(TASK,), trials=1, size=32),
                     targets_for(SUITE, "oracle"))
    assert summary.kept == summary.successes == 1
    (entry,) = [json.loads(line) for line in (out / "record_log.jsonl").read_text().splitlines()]
    (ep,) = read_dataset(out)
    steps = entry["steps"]
    assert ep.success and ep.fps == 20.0 and ep.instruction == entry["spec"]["instruction"]
    for key in ("agentview", "eye_in_hand"):
        assert ep.frames[key].shape == (steps, 32, 32, 3) and ep.frames[key].dtype == np.uint8
        assert ep.frames[key].std() > 5  # a real rendered scene, not a blank
    assert ep.actions.shape == (steps, 7) and ep.actions.dtype == np.float32
    assert ep.ee_states.shape == (steps, 6) and ep.gripper_states.shape == (steps, 2)
    assert ep.joint_states.shape == (steps, 7)
    assert ep.actions[:, 6].max() == 1.0 and ep.actions[0, 6] == -1.0  # opens, then closes on the object
    # The eef rises while lifting: ee_states are the robot state at each step, not a copy of the first.
    assert np.ptp(ep.ee_states[:, 2]) > 0.05
