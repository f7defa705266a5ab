"""`--policy vla_eval` against vla-eval's REAL server (vla_eval.model_servers.serve.serve_async + PredictModelServer)
with a dummy model whose predict returns a known chunk: the HELLO, episode lifecycle and server-side chunking; the
observation equals what vla-eval's own LIBERO benchmark builds (its own functions, not a re-implementation); errors."""

from __future__ import annotations

import queue
import threading
import time

import anyio
import numpy as np
import pytest
from vla_eval.benchmarks.libero.benchmark import LIBEROBenchmark
from vla_eval.benchmarks.libero.utils import preprocess_libero_image
from vla_eval.model_servers.predict import PredictModelServer
from vla_eval.model_servers.serve import serve_async
from vla_eval.specs import GRIPPER_CLOSE_POS, IMAGE_RGB, LANGUAGE, POSITION_DELTA, ROTATION_AA, STATE_EEF_POS_AA_GRIP

from tests.test_official_clients import FAST, PROTOCOL, SPEC, _LiberoLikeEnv, converted, raw_libero_state
from vla_harness.harness.config import ConfigError
from vla_harness.harness.convert import conform
from vla_harness.harness.episode import run_episode
from vla_harness.harness.types import TaskInfo
from vla_harness.policies.clients.transport import PolicyUnreachable, RemotePolicyError
from vla_harness.policies.clients.vla_eval import VlaEvalPolicy

CHUNK = np.array([[0.1 * i, 0.0, -0.1, 0.0, 0.2, 0.0, 0.7 if i % 2 else -0.4] for i in range(4)], dtype=np.float32)


class DummyModel(PredictModelServer):
    """A vla-eval model server whose model is a fixed chunk of 4; it asks for the wrist image and the state."""

    def __init__(self, fail: bool = False, sleep_s: float = 0.0) -> None:
        super().__init__(chunk_size=4)
        self.fail, self.sleep_s = fail, sleep_s
        self.seen: list[dict] = []
        self.episodes = 0

    def predict(self, obs, ctx):
        self.seen.append(obs)
        time.sleep(self.sleep_s)
        if self.fail:
            raise RuntimeError("CUDA out of memory")
        return {"actions": CHUNK}

    async def on_episode_start(self, config, ctx):
        self.episodes += 1
        await super().on_episode_start(config, ctx)

    def get_observation_params(self):
        return {"send_wrist_image": True, "send_state": True}

    def get_action_spec(self):
        return {"position": POSITION_DELTA, "rotation": ROTATION_AA, "gripper": GRIPPER_CLOSE_POS}

    def get_observation_spec(self):
        return {"agentview": IMAGE_RGB, "wrist": IMAGE_RGB, "state": STATE_EEF_POS_AA_GRIP, "language": LANGUAGE}


def serve(model: PredictModelServer) -> str:
    """vla-eval's own server on 127.0.0.1 and a free port, in a daemon thread; returns its URL."""
    ports: queue.Queue = queue.Queue()

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            ports.put(await tg.start(serve_async, model, "127.0.0.1", 0))

    threading.Thread(target=anyio.run, args=(main,), daemon=True).start()
    return f"ws://127.0.0.1:{ports.get(timeout=20)}"


def test_drives_the_real_vla_eval_server_with_its_libero_observation_convention():
    model = DummyModel()
    policy = VlaEvalPolicy(url=serve(model), **FAST)
    assert policy.params() == {"send_wrist_image": True, "send_state": True}  # from the server's HELLO
    raw = raw_libero_state(3)
    raw["robot0_eef_quat"] = -raw["robot0_eef_quat"]  # w < 0: vla-eval's axis-angle flips it, robosuite's does not
    policy.reset(TaskInfo("libero_spatial", "libero_spatial", 0, "t", raw["task"]))
    actions = [policy.act(converted(policy, raw)) for _ in range(5)]
    assert len(model.seen) == 2  # the server's chunk of 4 serves 4 observations, the 5th asks the model again
    assert all(a.shape == (1, 7) for a in actions)
    executed = np.concatenate(actions)
    assert np.allclose(executed[:4, :6], CHUNK[:, :6]) and list(executed[:4, 6]) == [-1.0, 1.0, -1.0, 1.0]
    # What vla-eval's LIBERO benchmark sends for this state, built with its own code:
    bench = LIBEROBenchmark(send_wrist_image=True, send_state=True)
    sent = model.seen[0]
    assert sent["task_description"] == raw["task"] and set(sent) == {"images", "task_description", "states"}
    assert np.array_equal(sent["images"]["agentview"], preprocess_libero_image(raw["agentview_image"]))
    assert np.array_equal(sent["images"]["wrist"], preprocess_libero_image(raw["robot0_eye_in_hand_image"]))
    assert np.allclose(sent["states"], bench._proprio_state(raw), atol=1e-6)
    # A new episode: EPISODE_START again, the server's chunk buffer is dropped, the model is asked at once.
    policy.reset(TaskInfo("libero_spatial", "libero_spatial", 1, "t", raw["task"]))
    policy.act(converted(policy, raw))
    assert model.episodes == 2 and len(model.seen) == 3
    policy.close()


def test_options_override_the_server_params_and_errors_keep_their_kinds():
    model = DummyModel()
    policy = VlaEvalPolicy(url=serve(model), send_wrist_image=False, send_state=False, **FAST)
    policy.reset(TaskInfo("s", "s", 0, "t", "x"))
    policy.act(converted(policy, raw_libero_state()))
    assert set(model.seen[0]["images"]) == {"agentview"} and "states" not in model.seen[0]
    failing = VlaEvalPolicy(url=serve(DummyModel(fail=True)), **FAST)
    with pytest.raises(RemotePolicyError, match="observation_failed: RuntimeError: CUDA out of memory"):
        failing.act(converted(failing, raw_libero_state()))
    slow = VlaEvalPolicy(url=serve(DummyModel(sleep_s=2.0)), read_timeout_s=0.3, **FAST)
    outcome = run_episode(_LiberoLikeEnv(), conform(slow, PROTOCOL), SPEC, PROTOCOL)
    assert outcome.error.kind == "policy_unreachable" and "looks hung" in outcome.error.message
    with pytest.raises(PolicyUnreachable):
        VlaEvalPolicy(url="ws://127.0.0.1:9", **FAST)


class ImagesOnly(DummyModel):
    def get_observation_params(self):
        return {"send_wrist_image": False, "send_state": False}


def test_simpler_mode_sends_vla_evals_simpler_observation_and_its_gripper_reaches_the_google_robot():
    """-P benchmark=simpler: the robot camera at its own size, SimplerEnv's task id; the openness becomes the Google
    robot's relative command as vla-eval's sticky step makes it (tests/test_gripper.py checks that rule itself)."""
    from pathlib import Path

    from vla_harness.benchmarks.simpler.official.protocol import google_protocol
    from vla_harness.harness.gripper import GripperCommands
    from vla_harness.harness.types import Observation

    google = google_protocol(Path("/nonexistent"), raster=False)
    model = ImagesOnly()
    policy = conform(VlaEvalPolicy(url=serve(model), benchmark="simpler", **FAST), google)
    assert policy.spec().cameras == ("overhead_camera",) and policy.spec().image_size == 0  # native resolution
    image = np.random.default_rng(1).integers(0, 255, size=(512, 640, 3), dtype=np.uint8)
    obs = Observation(images={"overhead_camera": image}, state={}, instruction="pick coke can", step=0)
    policy.reset(TaskInfo("simpler_google", "visual_matching", 0, "pick_horizontal_coke_can", "pick coke can"))
    executed = np.concatenate([policy.act(obs) for _ in range(4)])
    sent = model.seen[0]
    assert np.array_equal(sent["images"]["primary"], image) and sent["task_description"] == "pick coke can"
    assert sent["task_name"] == "google_robot_pick_horizontal_coke_can" and "states" not in sent
    level = GripperCommands(policy.plan.env_spec.conventions.gripper, google.conventions.action.gripper, "level")
    assert np.allclose(executed[:, 6], [level.convert(v) for v in CHUNK[:, 6]])
    assert np.allclose(executed[:, :6], CHUNK[:, :6])
    with pytest.raises(ConfigError, match="does not send vla-eval.s SimplerEnv state"):
        VlaEvalPolicy(url=serve(DummyModel()), benchmark="simpler", **FAST).spec()
    policy.close()
