"""Declared conventions: every benchmark and policy states them, the worker joins and converts them in one place."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.fake.bench import PROTOCOL as FAKE
from vla_harness.benchmarks.libero.protocol import libero_protocol
from vla_harness.benchmarks.simpler.protocol import bridge_protocol
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import (
    ROTATED_180,
    UPRIGHT,
    PolicyConventions,
    StateVector,
    axis_angle_to_quat_xyzw,
    quat_xyzw_to_axis_angle,
)
from vla_harness.harness.convert import conform, plan_for
from vla_harness.harness.manifest import protocol_hash
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.zero_policy import ZeroPolicy

LIBERO = libero_protocol("libero_spatial")


class Declared(ScriptedPolicy):
    """A scripted policy that declares conventions (roles, upright, a state vector)."""

    def __init__(self, conventions: PolicyConventions, cameras=("primary", "wrist"), **kw) -> None:
        super().__init__(cameras=cameras, **kw)
        self.conventions = conventions

    def spec(self) -> PolicySpec:
        return dataclasses.replace(super().spec(), conventions=self.conventions)


def _quats(n: int, seed: int = 0) -> np.ndarray:
    q = np.random.default_rng(seed).normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q[0] = (0.0, 0.0, 0.0, 1.0)  # the identity: robosuite's zero-angle branch
    return q


def test_axis_angle_is_robosuites_quat2axisangle():
    from robosuite.utils.transform_utils import quat2axisangle

    for q in _quats(200):
        np.testing.assert_allclose(quat_xyzw_to_axis_angle(q), quat2axisangle(q.copy()), atol=1e-12)
        if q[3] > 0:  # the same rotation back (angle < pi)
            np.testing.assert_allclose(axis_angle_to_quat_xyzw(quat_xyzw_to_axis_angle(q)), q, atol=1e-9)


def test_every_shipped_benchmark_declares_conventions():
    for protocol in (LIBERO, bridge_protocol(False), FAKE):
        c = protocol.conventions
        assert c is not None and c.cameras and c.state and c.action.control_hz == protocol.control_hz
        assert len(c.action.dims) == protocol.action_dim
    assert {cam.orientation for cam in LIBERO.conventions.cameras} == {ROTATED_180}
    assert bridge_protocol(False).conventions.cameras[0].orientation == UPRIGHT


def test_zero_gripper_means_open_on_libero_and_on_bridge():
    """-1 opens a LIBERO gripper but closes a WidowX one: the worker maps the policy's declared open onto each."""
    libero = conform(ZeroPolicy(image_size=4), LIBERO)
    obs = Observation(images={"agentview": np.zeros((4, 4, 3), np.uint8)}, state={}, instruction="", step=0)
    assert np.all(libero.act(obs)[:, 6] == -1.0)
    bridge = conform(ZeroPolicy(image_size=4), bridge_protocol(False))
    assert bridge.spec().cameras == ("3rd_view_camera",)  # "agentview" is the one camera's alias
    obs.images = {"3rd_view_camera": obs.images["agentview"]}
    assert np.all(bridge.act(obs)[:, 6] == 1.0)


def test_images_oriented_roles_resolved_and_state_assembled():
    conv = PolicyConventions(orientation=UPRIGHT, state=(StateVector("s", ("eef_pos", "eef_axis_angle",
                                                                           "gripper_qpos")),))
    policy = conform(Declared(conv, size=8), LIBERO)
    spec = policy.spec()
    assert spec.cameras == ("agentview", "robot0_eye_in_hand") and spec.image_size == 8
    assert set(spec.state_keys) == {"robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos"}
    rng = np.random.default_rng(1)
    raw = {cam: rng.integers(0, 255, (8, 8, 3), dtype=np.uint8) for cam in spec.cameras}
    quat = _quats(2)[1]
    state = {"robot0_eef_pos": rng.normal(size=3), "robot0_eef_quat": quat, "robot0_gripper_qpos": rng.normal(size=2)}
    policy.act(Observation(images=raw, state=state, instruction="x", step=0))
    seen = policy.policy.calls[0]
    np.testing.assert_array_equal(seen.images["primary"], raw["agentview"][::-1, ::-1])
    np.testing.assert_array_equal(seen.images["wrist"], raw["robot0_eye_in_hand"][::-1, ::-1])
    expected = np.concatenate([state["robot0_eef_pos"], quat_xyzw_to_axis_angle(quat), state["robot0_gripper_qpos"]])
    np.testing.assert_array_equal(seen.state["s"], expected)


def test_bridge_pose_wxyz_gives_the_same_axis_angle():
    conv = PolicyConventions(state=(StateVector("aa", ("eef_axis_angle",)), StateVector("q", ("eef_quat_xyzw",))))
    plan = plan_for(bridge_protocol(False).conventions, Declared(conv, cameras=()).spec(), "simpler_bridge", 7)
    q = _quats(3)[2]
    pose = np.concatenate([[0.1, 0.2, 0.3], np.roll(q, 1)])  # xyz + w, x, y, z
    out = plan.observation(Observation(images={}, state={"ee_pose": pose}, instruction="", step=0))
    np.testing.assert_allclose(out.state["aa"], quat_xyzw_to_axis_angle(q), atol=1e-12)
    np.testing.assert_allclose(out.state["q"], q)


@pytest.mark.parametrize("conv, cameras, message", [
    (PolicyConventions(state=(StateVector("s", ("gripper_qpos",)),)), (), "reads state 'gripper_qpos'"),
    (PolicyConventions(), ("wrist",), "reads camera 'wrist'"),
    (PolicyConventions(action_space="libero_osc_pose"), (), "no mapping is defined"),
])
def test_what_cannot_be_converted_is_one_line_before_any_episode(conv, cameras, message):
    with pytest.raises(ConfigError, match=message) as info:
        conform(Declared(conv, cameras=cameras), bridge_protocol(False))
    assert "\n" not in str(info.value)


def test_fake_wrist_renders_rotated_and_the_loop_hands_it_upright():
    """The fake env draws the same scene for both cameras, the wrist one rotated 180 degrees (like LIBERO)."""
    from vla_harness.benchmarks.fake.bench import FakeBenchmark
    from vla_harness.harness.episode import run_episode
    from vla_harness.harness.protocols import BenchSelection

    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1, max_steps=3), 7)[0]
    inner = Declared(PolicyConventions(state=(StateVector("pos", ("eef_pos",)),)), size=16)
    out = run_episode(bench.make_env(spec), conform(inner, FAKE), spec, FAKE)
    assert out.error is None and inner.calls
    obs = inner.calls[0]
    assert obs.images["primary"].std() > 0
    np.testing.assert_array_equal(obs.images["wrist"], obs.images["primary"])
    assert obs.state["pos"].shape == (3,)


def test_conventions_are_in_the_protocol_hash():
    changed = dataclasses.replace(LIBERO, conventions=dataclasses.replace(
        LIBERO.conventions, cameras=LIBERO.conventions.cameras[:1]))
    assert protocol_hash(LIBERO, {}) != protocol_hash(changed, {})


def test_shipped_vla_jepa_sees_exactly_the_pixels_it_saw_before():
    """Before conventions the adapter flipped LIBERO's renders itself; now the worker does. Same tensors."""
    import torch

    from vla_harness.policies.vla_jepa.adapter import VlaJepaPolicy
    from vla_harness.policies.vla_jepa.data import resize_frames

    policy = VlaJepaPolicy()
    cfg, wrapped = policy.cfg, conform(policy, LIBERO)
    size = wrapped.spec().image_size
    rng = np.random.default_rng(3)
    images = {cam: rng.integers(0, 255, (size, size, 3), dtype=np.uint8) for cam in wrapped.spec().cameras}
    state = {k: rng.normal(size=n) for k, n in (("robot0_eef_pos", 3), ("robot0_eef_quat", 4),
                                                ("robot0_gripper_qpos", 2), ("robot0_joint_pos", 7))}
    obs = Observation(images=images, state=state, instruction="pick", step=0)
    frames, _, st = policy.inputs(wrapped.plan.observation(obs))
    sim = {"agentview": "agentview", "eye_in_hand": "robot0_eye_in_hand"}
    old = torch.stack([resize_frames(images[sim[c]][::-1, ::-1][None], cfg.image_size)[0] for c in cfg.cameras])
    assert torch.equal(frames, old[None].float() / 255.0)
    from vla_harness.harness.conventions import quat_xyzw_to_axis_angle

    # the adapter's own assembly before conventions: eef pos [+ axis-angle of the quaternion] + finger qpos
    turn = [quat_xyzw_to_axis_angle(state["robot0_eef_quat"])] if cfg.state_dim == 8 else []
    old_state = np.concatenate([state["robot0_eef_pos"], *turn, state["robot0_gripper_qpos"]]).astype(np.float32)
    assert torch.allclose(st, torch.as_tensor(old_state)[None], atol=1e-6)


def test_a_camera_orientation_outside_the_known_two_is_refused():
    from vla_harness.harness.conventions import CameraRole

    with pytest.raises(ValueError, match="orientation must be one of"):
        CameraRole("primary", "agentview", "upside_down")
