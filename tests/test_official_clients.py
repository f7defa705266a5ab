"""The clients of the official VLA-JEPA (starVLA) and OpenVLA-OFT servers: what they send equals, field by field, what
the official LIBERO eval loop computes from the same LIBERO state (the recipes below are written out from the
official source, cited by repo, file and commit); a known reply becomes the expected executed actions; real round
trips over sockets against test servers (tests/official_servers.py); unreachable / hung / dying / erroring servers."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from tests.official_servers import OftServer, StarVlaServer
from vla_harness.benchmarks.libero.protocol import CONVENTIONS
from vla_harness.harness.convert import conform, plan_for
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchProtocol
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult
from vla_harness.policies.clients.openvla_oft import OpenVlaOftPolicy
from vla_harness.policies.clients.transport import PolicyUnreachable, RemotePolicyError
from vla_harness.policies.clients.vla_jepa_official import VlaJepaOfficialPolicy

FAST = {"reconnect_attempts": 1, "reconnect_backoff_s": 0.05, "connect_timeout_s": 2.0}


def raw_libero_state(seed: int = 0) -> dict:
    """A LIBERO observation as robosuite gives it: 256 px renders upside down (OpenGL), eef pose, finger qpos."""
    rng = np.random.default_rng(seed)
    quat = rng.normal(size=4)
    quat = quat / np.linalg.norm(quat) * np.sign(quat[3])
    return {"agentview_image": rng.integers(0, 256, (256, 256, 3), dtype=np.uint8),
            "robot0_eye_in_hand_image": rng.integers(0, 256, (256, 256, 3), dtype=np.uint8),
            "robot0_eef_pos": rng.normal(size=3), "robot0_eef_quat": quat,
            "robot0_gripper_qpos": np.array([0.039, -0.038]), "task": "put the bowl on the plate"}


def harness_obs(raw: dict) -> Observation:
    """The same state as the harness loop hands it to a policy (LiberoEnv.observe: raw renders, robosuite keys)."""
    return Observation(images={"agentview": raw["agentview_image"].copy(),
                               "robot0_eye_in_hand": raw["robot0_eye_in_hand_image"].copy()},
                       state={k: np.array(raw[k]) for k in ("robot0_eef_pos", "robot0_eef_quat",
                                                            "robot0_gripper_qpos")},
                       instruction=raw["task"], step=0)


def converted(policy, raw: dict) -> Observation:
    """What the policy gets from the loop for this state: the worker's one conversion (harness/convert.py)."""
    return plan_for(CONVENTIONS, policy.spec(), "libero_spatial", 7).observation(harness_obs(raw))


def official_quat2axisangle(quat):
    # experiments/robot/libero/libero_utils.py quat2axisangle (= robosuite transform_utils), both repos copy it
    quat = np.array(quat, dtype=np.float64)
    quat[3] = min(1.0, max(-1.0, quat[3]))
    den = np.sqrt(1.0 - quat[3] * quat[3])
    if math.isclose(den, 0.0):
        return np.zeros(3)
    return (quat[:3] * 2.0 * math.acos(quat[3])) / den


def official_state(raw):
    return np.concatenate((raw["robot0_eef_pos"], official_quat2axisangle(raw["robot0_eef_quat"]),
                           raw["robot0_gripper_qpos"]))


def vla_jepa_official_request(raw: dict) -> dict:
    """ginwind/VLA-JEPA@ec8c70f examples/LIBERO/eval_libero.py (flip, 8-d state, expand_dims) then
    examples/LIBERO/model2libero_interface.py M1Inference.step (cv2 INTER_AREA to [224, 224], vla_input) and
    deployment/model_server/tools/websocket_policy_client.py infer ({"payload", "type": "infer"})."""
    img = np.ascontiguousarray(raw["agentview_image"][::-1, ::-1])
    wrist = np.ascontiguousarray(raw["robot0_eye_in_hand_image"][::-1, ::-1])
    state = np.expand_dims(official_state(raw), axis=0)
    images = [cv2.resize(im, (224, 224), interpolation=cv2.INTER_AREA) for im in (img, wrist)]
    vla_input = {"batch_images": [images], "instructions": [raw["task"]], "unnorm_key": None, "do_sample": False,
                 "use_ddim": True, "num_ddim_steps": 10, "state": [state]}
    return {"payload": vla_input, "type": "infer"}


def oft_official_observation(raw: dict) -> dict:
    """moojink/openvla-oft@213c5ff experiments/robot/libero/run_libero_eval.py prepare_observation (before its
    resize_image_for_policy, which deploy.py's prepare_images_for_vla applies server-side to any non-224 image) +
    the payload's "instruction" that deploy.py OpenVLAServer.get_server_action reads."""
    return {"full_image": raw["agentview_image"][::-1, ::-1],
            "wrist_image": raw["robot0_eye_in_hand_image"][::-1, ::-1],
            "state": official_state(raw), "instruction": raw["task"]}


def assert_same(sent, expected, path="request"):
    if isinstance(expected, dict):
        assert isinstance(sent, dict) and set(sent) == set(expected), f"{path}: keys {sent!r} vs {set(expected)}"
        for key in expected:
            assert_same(sent[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert len(sent) == len(expected), path
        for i, (a, b) in enumerate(zip(sent, expected)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, np.ndarray):
        a = np.asarray(sent)
        assert a.shape == expected.shape and a.dtype == expected.dtype, f"{path}: {a.shape} {a.dtype}"
        assert np.array_equal(a, expected), f"{path}: values differ"
    else:
        assert sent == expected, f"{path}: {sent!r} vs {expected!r}"


@pytest.fixture()
def stats(tmp_path):
    table = {"franka": {"action": {"min": [-1.0, -2.0, -3.0, -0.5, -0.5, -0.5, 0.0],
                                   "max": [1.0, 2.0, 3.0, 0.5, 0.5, 0.5, 1.0],
                                   "mask": [True] * 6 + [False]}}}
    (tmp_path / "dataset_statistics.json").write_text(json.dumps(table))
    return str(tmp_path / "dataset_statistics.json")


NORMALIZED = np.array([[[0.0, 0.5, -1.0, 1.5, -2.0, 0.25, 0.7]] * 8], dtype=np.float32)
NORMALIZED[0, 1, 6] = 0.3  # the second action closes the gripper


def test_vla_jepa_official_sends_the_official_request_and_executes_the_official_actions(stats):
    server = StarVlaServer(NORMALIZED)
    try:
        policy = VlaJepaOfficialPolicy(url=server.url, stats=stats, **FAST)
        raw = raw_libero_state()
        actions = policy.act(converted(policy, raw))
    finally:
        server.close()
    assert_same(server.received[0], vla_jepa_official_request(raw))
    assert actions.shape == (8, 7) and policy.spec().replan_steps == 8  # future_action_window_size 7 + 1
    # un-normalised by hand: 0.5*(a+1)*(max-min)+min after clipping to [-1, 1]; open (0.7 -> 1) -> -1, 0.3 -> +1
    assert np.allclose(actions[0], [0.0, 1.0, -3.0, 0.5, -0.5, 0.125, -1.0])
    assert actions[1, 6] == 1.0


def test_vla_jepa_official_chunk_from_config_yaml_and_stats_errors(tmp_path, stats):
    (tmp_path / "config.yaml").write_text("framework:\n  action_model:\n    future_action_window_size: 3\n")
    server = StarVlaServer(NORMALIZED)
    try:
        policy = VlaJepaOfficialPolicy(url=server.url, stats=stats, **FAST)
        assert policy.spec().replan_steps == 4 and policy.act(converted(policy, raw_libero_state())).shape == (4, 7)
    finally:
        server.close()
    with pytest.raises(ValueError, match="-P stats=PATH/dataset_statistics.json"):
        VlaJepaOfficialPolicy(url=server.url)
    with pytest.raises(ValueError, match="no action statistics for unnorm_key 'bridge'"):
        VlaJepaOfficialPolicy(url=server.url, stats=stats, unnorm_key="bridge")


def test_openvla_oft_sends_the_official_observation_and_post_processes_the_gripper():
    chunk = [np.array([0.01, -0.02, 0.03, 0.0, 0.1, -0.1, g], dtype=np.float32) for g in (0.9, 0.1, 0.5, 1.0)]
    server = OftServer(chunk)
    try:
        policy = OpenVlaOftPolicy(url=server.url, open_loop_steps=3, **FAST)
        raw = raw_libero_state(1)
        actions = policy.act(converted(policy, raw))
    finally:
        server.close()
    assert_same(server.received[0], oft_official_observation(raw))
    # normalize_gripper_action(binarize): sign(2g - 1); invert_gripper_action: * -1 (OpenVLA 1 = open -> LIBERO -1)
    assert actions.shape == (3, 7) and list(actions[:, 6]) == [-1.0, 1.0, 0.0]
    assert np.allclose(actions[:, :6], np.stack(chunk)[:3, :6])


class _LiberoLikeEnv:
    """Offers what LiberoEnv offers a policy (raw renders + robosuite state keys), without a simulator."""

    def __init__(self):
        self.raw = raw_libero_state(2)

    def reset(self, spec):
        pass

    def observe(self, cameras, size, state_keys=()):
        return harness_obs(self.raw)

    def step(self, action):
        return StepResult(success=False)

    def close(self):
        pass


PROTOCOL = BenchProtocol(name="libero-like", settle_steps=0, settle_action=(0.0,) * 7, action_dim=7,
                         control_hz=20.0, max_steps=16, trials_per_task=1, cameras=("agentview",), source="test",
                         conventions=CONVENTIONS)
SPEC = EpisodeSpec(bench="libero-like", suite="s", task_id=0, task_name="t", instruction="put the bowl on the plate",
                   trial=0, seed=0, max_steps=16)


@pytest.mark.parametrize("client", ["vla_jepa_official", "openvla_oft"])
@pytest.mark.parametrize("mode,kind", [("error", "policy_error"), ("hang", "policy_unreachable"),
                                       ("die", "policy_unreachable")])
def test_misbehaving_servers_end_the_episode_with_the_existing_error_kinds(client, mode, kind, stats):
    server = StarVlaServer(NORMALIZED, mode=mode) if client == "vla_jepa_official" else \
        OftServer([np.zeros(7, np.float32)] * 8, mode=mode)
    try:
        options = {**FAST, "read_timeout_s": 0.5}
        policy = VlaJepaOfficialPolicy(url=server.url, stats=stats, **options) if client == "vla_jepa_official" \
            else OpenVlaOftPolicy(url=server.url, **options)
        outcome = run_episode(_LiberoLikeEnv(), conform(policy, PROTOCOL), SPEC, PROTOCOL)
    finally:
        server.close()
    assert outcome.success is None and outcome.error.kind == kind
    assert "\n" not in outcome.error.message


@pytest.mark.parametrize("client", ["vla_jepa_official", "openvla_oft"])
def test_no_server_is_policy_unreachable_at_the_start(client, stats):
    with pytest.raises(PolicyUnreachable, match="unreachable after 2 attempt"):
        if client == "vla_jepa_official":
            VlaJepaOfficialPolicy(url="ws://127.0.0.1:9", stats=stats, **FAST)
        else:
            OpenVlaOftPolicy(url="http://127.0.0.1:9", **FAST)


def test_unusable_replies_are_one_line_policy_errors(stats):
    server = StarVlaServer(np.zeros((1, 8, 5), np.float32))  # 5 action dims, not 7
    try:
        policy = VlaJepaOfficialPolicy(url=server.url, stats=stats, **FAST)
        with pytest.raises(RemotePolicyError, match=r"unusable reply: normalized_actions\[0\] has shape \(8, 5\)"):
            policy.act(converted(policy, raw_libero_state()))
    finally:
        server.close()
    server = OftServer([np.zeros(5, np.float32)])
    try:
        with pytest.raises(RemotePolicyError, match="unusable reply"):
            OpenVlaOftPolicy(url=server.url, **FAST).act(converted(policy, raw_libero_state()))
    finally:
        server.close()
