"""The closed-loop vision check (harness/vision_probe.py, results/vision_check.py) against deliberately blind and
deliberately seeing toy policies on the fake benchmark, in both directions: a policy that reads the target from
privileged state loses nothing when its camera input is frozen or swapped (and so fails the check); one that reads
target and hand from its camera loses most of its successes (and passes). No simulator: seconds."""

import json

import numpy as np
import pytest

from vla_harness.cli.main import main
from vla_harness.harness import evaluate as core
from vla_harness.harness.config import RunConfig
from vla_harness.harness.manifest import protocol_hash
from vla_harness.harness.plan import hash_fields, plan_run
from vla_harness.harness.targets import Targets
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.harness.vision_probe import FirstFrame, ReplayFrames, donors
from vla_harness.results.load import load_run
from vla_harness.results.vision_check import vision_check

SIZE = 64
MOVING = {"target_speed": 0.07}  # the target drifts: only live images show where it is now
RED, GREEN = (220, 40, 40), (40, 220, 40)


def _dot(img: np.ndarray, color) -> np.ndarray | None:
    """The (x, y) in [-1, 1] of a colour's pixels in the fake benchmark's agentview image (its render inverted)."""
    vs, us = np.nonzero(np.all(img == np.array(color, np.uint8), axis=-1))
    if not len(us):
        return None
    return np.array([us.mean(), vs.mean()]) / (SIZE - 1) * 2 - 1


def _bang_bang(target: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """One step of 0.1 per axis towards the target; still within 0.05 of it."""
    delta = target - pos
    return np.where(np.abs(delta) > 0.05, np.sign(delta), 0.0)


class _Reacher:
    """Chases the fake benchmark's (moving) target: z always from privileged state; x, y from the camera or not."""

    sees = False

    def spec(self) -> PolicySpec:
        return PolicySpec(name="reacher", cameras=("agentview",), image_size=SIZE, chunk_len=1, privileged=True)

    def reset(self, task: TaskInfo) -> None:
        pass

    def act(self, obs: Observation) -> np.ndarray:
        target, pos = np.array(obs.privileged["target"]), np.array(obs.privileged["pos"])
        if self.sees:  # the hand and the target in the image (the hand is drawn over the target)
            img = obs.images["agentview"]
            hand, seen = _dot(img, GREEN), _dot(img, RED)
            pos[:2] = hand if hand is not None else pos[:2]
            target[:2] = seen if seen is not None else pos[:2]
        action = np.zeros((1, 7), np.float32)
        action[0, :3] = _bang_bang(target, pos)
        return action

    def close(self) -> None:
        pass


class BlindReacher(_Reacher):
    sees = False


class SeeingReacher(_Reacher):
    sees = True


FAKE = "vla_harness.benchmarks.fake.bench:FakeBenchmark"
TARGETS = {name: Targets(bench=FAKE, policy=f"tests.test_vision_probe:{name}")
           for name in ("BlindReacher", "SeeingReacher")}


def _run(tmp_path, policy: str, probe: str, trials: int = 4):
    cfg = RunConfig(bench="fake", policy=policy, trials=trials, seed=3, out=str(tmp_path), name=f"{policy}-{probe}",
                    vision_probe=probe, bench_options=MOVING)
    plan = plan_run(cfg, TARGETS[policy])
    run_dir = core.start_run(plan)
    core.execute(run_dir, plan, progress=False)
    return load_run(run_dir)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe")
    return {(policy, probe): _run(tmp, policy, probe) for policy in TARGETS
            for probe in ("none", "first_frame", "other_episode")}


def _successes(run) -> int:
    return sum(bool(r.success) for r in run.records)


def test_a_blind_policy_loses_nothing_and_fails_the_check(runs):
    normal = runs[("BlindReacher", "none")]
    assert _successes(normal) == 40  # 10 tasks x 4 trials: privileged state alone solves every one
    probed = [runs[("BlindReacher", p)] for p in ("first_frame", "other_episode")]
    assert [_successes(r) for r in probed] == [40, 40]
    check = vision_check(normal, probed)
    assert not check.passed and all(r.kept == 1.0 for r in check.results)


def test_a_seeing_policy_loses_most_successes_and_passes_the_check(runs):
    normal = runs[("SeeingReacher", "none")]
    assert _successes(normal) >= 36
    probed = [runs[("SeeingReacher", p)] for p in ("first_frame", "other_episode")]
    check = vision_check(normal, probed)
    assert check.passed, [(r.probe, r.normal_successes, r.probe_successes) for r in check.results]
    assert all(r.probe_successes <= 0.5 * r.normal_successes and r.p_value < 0.05 for r in check.results)


def test_other_episode_sees_the_next_trial_of_the_same_task_which_it_records(runs):
    run = runs[("SeeingReacher", "other_episode")]
    by_key = {r.key: r for r in run.records}
    normal = {r.key: r for r in runs[("SeeingReacher", "none")].records}
    for rec in run.records:
        info = rec.metrics["vision_probe"]
        donor = by_key[info["donor"]].spec
        assert donor.task_id == rec.spec.task_id and donor.trial == (rec.spec.trial + 1) % 4
        assert info["donor_success"] == normal[info["donor"]].success  # the donor is the normal run's episode


def test_probed_runs_hash_apart_from_normal_ones_and_normal_hashes_are_unchanged(runs, tmp_path):
    hashes = {p: runs[("SeeingReacher", p)].protocol_hash for p in ("none", "first_frame", "other_episode")}
    assert len(set(hashes.values())) == 3
    assert "vision_probe" not in hash_fields(RunConfig(bench="fake"))
    plan = plan_run(RunConfig(bench="fake", policy="SeeingReacher", bench_options=MOVING), TARGETS["SeeingReacher"])
    assert hashes["none"] == protocol_hash(plan.protocol, {"bench": "fake", "max_steps": None, "bench_options": MOVING})
    # `report` and `compare` refuse to pool a probed run with a normal one
    assert main(["compare", str(runs[("SeeingReacher", "none")].path),
                 str(runs[("SeeingReacher", "first_frame")].path)]) == 3


def test_resume_keeps_the_probe(runs):
    run = runs[("SeeingReacher", "other_episode")]
    assert json.loads((run.path / "manifest.json").read_text())["config"]["vision_probe"] == "other_episode"
    assert core.resume(run.path, TARGETS["SeeingReacher"], progress=False).executed == 0


def test_the_cli_check_exits_by_its_verdict(runs, capsys):
    args = lambda policy: [str(runs[(policy, p)].path) for p in ("none", "first_frame", "other_episode")]  # noqa: E731
    assert main(["vision-check", *args("SeeingReacher")]) == 0
    assert "PASS" in capsys.readouterr().out
    assert main(["vision-check", *args("BlindReacher")]) == 1
    assert main(["vision-check", *args("SeeingReacher")[:2]]) == 3  # one probe missing: no verdict
    mixed = [args("SeeingReacher")[0], args("BlindReacher")[1]]
    assert main(["vision-check", *mixed]) == 3  # another policy: refused
    assert main(["vision-check", args("SeeingReacher")[1], args("SeeingReacher")[2]]) == 2  # first run not normal


def test_donors_need_two_trials_of_every_task():
    plan = plan_run(RunConfig(bench="fake", policy="SeeingReacher", trials=3, vision_probe="other_episode"),
                    TARGETS["SeeingReacher"])
    assert [plan.donors[s.key].trial for s in plan.specs[:3]] == [1, 2, 0]
    with pytest.raises(Exception, match="at least 2 trials"):
        donors(plan.specs[:1])
    assert main(["eval", "--bench", "fake", "--policy", "random", "--trials", "1", "--vision-probe", "other_episode",
                 "--no-progress", "--out", "/nonexistent-never-created"]) == 2


TASK = TaskInfo(bench="b", suite="s", task_id=0, task_name="t", instruction="x")


def _obs(value: int, step: int = 0) -> Observation:
    return Observation(images={"agentview": np.full((2, 2, 3), value, np.uint8)}, state={"s": np.array([step])},
                       instruction="x", step=step)


class _Echo:
    """Returns the first pixel it sees and its state: what the wrapper handed over."""

    def spec(self):
        return PolicySpec(name="echo")

    def reset(self, task):
        pass

    def act(self, obs):
        return np.array([[obs.images["agentview"][0, 0, 0], obs.state["s"][0]]], np.float32)


def test_wrappers_replace_images_only():
    first = FirstFrame(_Echo())
    first.reset(TASK)
    assert [first.act(_obs(v, v))[0].tolist() for v in (5, 6, 7)] == [[5, 5], [5, 6], [5, 7]]
    first.reset(TASK)
    assert first.act(_obs(9))[0, 0] == 9  # a new episode, a new first frame
    replay = ReplayFrames(_Echo(), [_obs(1).images, _obs(2).images])
    replay.reset(TASK)
    assert [replay.act(_obs(0, v))[0].tolist() for v in (3, 4, 5)] == [[1, 3], [2, 4], [2, 5]]
