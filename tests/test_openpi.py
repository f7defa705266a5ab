"""openpi both ways: `--policy openpi` sends what openpi's LIBERO client sends; `vla-harness serve` takes that client.

openpi's recipe is written out below from Physical-Intelligence/openpi@15a9616a examples/libero/main.py (the eval
loop's element and its `_quat2axisangle`, itself robosuite's transform_utils.quat2axisangle); images go through the
installed openpi-client's own `image_tools`, as that script does.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from openpi_client import image_tools

from tests.fixtures import ScriptedPolicy
from tests.openpi_server import OpenpiStandIn
from tests.test_official_clients import official_quat2axisangle  # openpi's _quat2axisangle is the same copy
from vla_harness.benchmarks.libero.protocol import libero_protocol
from vla_harness.benchmarks.simpler.protocol import bridge_protocol
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import PolicyConventions, StateVector
from vla_harness.harness.convert import conform
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.openpi import OpenpiPolicy

LIBERO = libero_protocol("libero_spatial")
CHUNK = np.tile(np.linspace(-0.5, 0.5, 10, dtype=np.float32)[:, None], (1, 7))  # 10 distinct actions


def openpi_element(raw: dict, prompt: str, resize: int = 224) -> dict:
    """examples/libero/main.py: rotate 180, resize_with_pad, convert_to_uint8; pos ‖ axis-angle(quat) ‖ qpos."""
    def image(img):
        return image_tools.convert_to_uint8(image_tools.resize_with_pad(np.ascontiguousarray(img[::-1, ::-1]),
                                                                        resize, resize))
    return {"observation/image": image(raw["agentview_image"]),
            "observation/wrist_image": image(raw["robot0_eye_in_hand_image"]),
            "observation/state": np.concatenate((raw["robot0_eef_pos"], official_quat2axisangle(raw["robot0_eef_quat"]),
                                                 raw["robot0_gripper_qpos"])),
            "prompt": str(prompt)}


def assert_same_element(sent: dict, expected: dict, image_atol: float = 0.0) -> dict[str, float]:
    """Field by field; returns each image's mean absolute difference (0-255 scale) and the state's largest."""
    assert set(sent) == set(expected)
    state_diff = np.abs(sent["observation/state"] - expected["observation/state"])
    diffs = {"state_max_abs": float(state_diff.max())}
    for key in ("observation/image", "observation/wrist_image"):
        assert sent[key].dtype == np.uint8 and sent[key].shape == expected[key].shape == (224, 224, 3)
        diffs[key] = float(np.abs(sent[key].astype(int) - expected[key].astype(int)).mean())
    assert sent["observation/state"].shape == (8,) and diffs["state_max_abs"] <= 1e-5, diffs
    assert all(diffs[k] <= image_atol for k in ("observation/image", "observation/wrist_image")), diffs
    assert sent["prompt"] == expected["prompt"]
    return diffs


def _raw_libero(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    quat = rng.normal(size=4)
    return {"agentview_image": rng.integers(0, 255, (256, 256, 3), dtype=np.uint8),
            "robot0_eye_in_hand_image": rng.integers(0, 255, (256, 256, 3), dtype=np.uint8),
            "robot0_eef_pos": rng.normal(size=3), "robot0_eef_quat": quat / np.linalg.norm(quat),
            "robot0_gripper_qpos": rng.normal(size=2) * 0.04, "robot0_joint_pos": rng.normal(size=7)}


def test_the_element_sent_is_openpis_recipe_field_by_field():
    raw = _raw_libero()
    images = {"agentview": raw["agentview_image"], "robot0_eye_in_hand": raw["robot0_eye_in_hand_image"]}
    obs = Observation(images=images,
                      state={k: v for k, v in raw.items() if not k.endswith("_image")}, instruction="pick it", step=0)
    with OpenpiStandIn(CHUNK) as server:
        policy = conform(OpenpiPolicy(url=server.url), LIBERO)
        spec = policy.spec()
        assert spec.cameras == ("agentview", "robot0_eye_in_hand") and spec.image_size == 256
        policy.reset(TaskInfo("libero_spatial", "libero_spatial", 0, "t", "pick it"))
        actions = policy.act(obs)
        policy.close()
    assert_same_element(server.received[0], openpi_element(raw, "pick it"))
    np.testing.assert_array_equal(actions, CHUNK[:5])  # replan_steps=5; LIBERO's gripper is openpi's: unchanged


def test_options_change_sizes_and_replan_steps_and_a_short_chunk_is_a_policy_error():
    raw = _raw_libero(1)
    obs = Observation(images={"agentview": raw["agentview_image"][:128, :128],
                              "robot0_eye_in_hand": raw["robot0_eye_in_hand_image"][:128, :128]},
                      state={k: v for k, v in raw.items() if not k.endswith("_image")}, instruction="x", step=0)
    with OpenpiStandIn(CHUNK[:3]) as server:
        policy = conform(OpenpiPolicy(url=server.url, render_size=128, resize_size=96, replan_steps=2), LIBERO)
        assert policy.spec().image_size == 128 and policy.spec().replan_steps == 2
        assert policy.act(obs).shape == (2, 7)
        assert server.received[0]["observation/image"].shape == (96, 96, 3)
        too_many = conform(OpenpiPolicy(url=server.url, replan_steps=4), LIBERO)
        with pytest.raises(Exception, match="replanning every 4 steps") as info:
            too_many.act(dataclasses.replace(obs, images={k: np.zeros((256, 256, 3), np.uint8) for k in obs.images}))
        assert getattr(info.value, "kind", None) == "policy_error"


def test_other_benchmark_families_are_refused_in_one_line():
    with OpenpiStandIn(CHUNK) as server, pytest.raises(ConfigError, match="no mapping is defined") as info:
        conform(OpenpiPolicy(url=server.url), bridge_protocol(False))
    assert "\n" not in str(info.value)


def test_env_seed_option_replaces_the_seed_and_enters_the_hash():
    from vla_harness.benchmarks.libero.suites import libero_spatial
    from vla_harness.harness.manifest import protocol_hash

    seeded, plain = libero_spatial(env_seed=7), libero_spatial()
    assert seeded.paper.env_seed == 7 and plain.paper.env_seed is None
    assert protocol_hash(seeded.protocol(), {}) != protocol_hash(plain.protocol(), {})
    assert libero_spatial(perturb="light", env_seed=7).base.paper.env_seed == 7


class Probe(ScriptedPolicy):
    """Served policy in the harness's own convention: roles, upright, eef pos + quaternion, Bridge-style gripper."""

    def spec(self) -> PolicySpec:
        conv = PolicyConventions(state=(StateVector("pose", ("eef_pos", "eef_quat_xyzw")),),
                                 gripper=dataclasses.replace(bridge_protocol(False).conventions.action.gripper))
        return dataclasses.replace(super().spec(), conventions=conv)


def test_unmodified_openpi_client_against_vla_harness_serve():
    from openpi_client.websocket_client_policy import WebsocketClientPolicy

    from vla_harness.policies.server import PolicyServer, ServerConfig
    from vla_harness.policies.server.app import ServerThread

    chunk = np.zeros((2, 7), np.float32)
    chunk[:, 6] = 1.0  # +1 is open for this (Bridge-convention) policy: LIBERO's -1
    probe = Probe(chunk=chunk, cameras=("primary", "wrist"), size=32)
    server = PolicyServer(lambda: probe, ServerConfig(port=0, instances="shared", max_batch=1))
    raw = _raw_libero(2)
    element = openpi_element(raw, "put the bowl on the plate")
    with ServerThread(server) as thread:
        client = WebsocketClientPolicy(thread.url)
        meta = client.get_server_metadata()
        assert meta["accepts"]["openpi-libero"].startswith("keys observation/image")
        reply = client.infer(element)
        client._ws.close()
    np.testing.assert_array_equal(reply["actions"][:, 6], [-1.0, -1.0])
    seen = probe.calls[0]
    assert seen.images["primary"].shape == (32, 32, 3) and seen.instruction == "put the bowl on the plate"
    upright = image_tools.resize_with_pad(np.ascontiguousarray(raw["agentview_image"][::-1, ::-1]), 224, 224)
    import cv2

    np.testing.assert_array_equal(seen.images["primary"], cv2.resize(upright, (32, 32), interpolation=cv2.INTER_AREA))
    np.testing.assert_allclose(seen.state["pose"][:3], raw["robot0_eef_pos"])
    assert abs(abs(np.dot(seen.state["pose"][3:], raw["robot0_eef_quat"])) - 1.0) < 1e-9  # the same rotation


def test_serve_refuses_openpi_requests_for_a_policy_without_conventions():
    from openpi_client.websocket_client_policy import WebsocketClientPolicy

    from vla_harness.policies.server import PolicyServer, ServerConfig
    from vla_harness.policies.server.app import ServerThread

    server = PolicyServer(lambda: ScriptedPolicy(), ServerConfig(port=0))
    with ServerThread(server) as thread:
        client = WebsocketClientPolicy(thread.url)
        assert client.get_server_metadata()["accepts"]["openpi-libero"].startswith("refused")
        with pytest.raises(RuntimeError, match="declares no conventions"):
            client.infer(openpi_element(_raw_libero(), "x"))
        client._ws.close()
