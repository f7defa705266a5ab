"""`--policy vla_eval --policy-url ws://HOST:PORT`: any model server of allenai's vla-eval (PyPI `vla-eval`).

vla-eval serves pi0, OpenVLA-OFT, OpenVLA, starVLA, GR00T, LeRobot models and more behind one websocket protocol
(vla_eval/protocol/messages.py, v1): msgpack messages {type, payload, seq, timestamp}; the client says HELLO and the
server answers with its `observation_params` (e.g. send_wrist_image, send_state); each episode opens with
EPISODE_START {task} and closes with EPISODE_END; each OBSERVATION gets one ACTION {actions} (or ERROR). Chunking is
the server's (PredictModelServer buffers a chunk and answers one action per observation), so this client asks at
every step. Messages are built with vla-eval's own codec (vla_eval.protocol.messages), images PNG like its default.

The observation is vla-eval's LIBERO convention (vla_eval/benchmarks/libero/benchmark.py `make_obs`):
{"images": {"agentview": upright 256 px, "wrist": upright 256 px if send_wrist_image}, "task_description": text,
"states": eef pos || vla_eval.rotation.quat_to_axisangle(quat) || gripper qpos if send_state}; the reply's action is
executed as that benchmark's `step` does: the gripper discretised (< 0 -> -1, else +1). `controller_states` (the
controller's pose, used by X-VLA) is not sent. Transport and failures: policies/clients/transport.py.

`-P benchmark=simpler` speaks vla-eval's SimplerEnv convention (vla_eval/benchmarks/simpler/benchmark.py `make_obs`
and `step`) on simpler_google and simpler_bridge: {"images": {"primary": the robot camera at its own resolution},
"task_description", "task_name": SimplerEnv's task id}; the reply's 7 values are passed on as delta xyz, axis-angle and
a gripper openness in [0, 1] (1 open), which the worker turns into the benchmark's gripper as that `step` does
(declared conventions, harness/gripper.py): on the Google robot the level as a relative command held for 15 steps
("sticky"), on WidowX open or closed by 0.5 ("binary"). Its `send_state` (base and tool poses) is not offered.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from vla_harness.harness.conventions import UPRIGHT, Gripper, PolicyConventions
from vla_harness.harness.errors import ConfigError
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.wire.libero_inputs import CAMERAS, POSE, RENDER_SIZE, conventions, libero_view

BENCHMARKS = ("libero", "simpler")
# vla-eval's SimplerEnv action: the gripper an openness in [0, 1]; "level" + the benchmark's hold on the Google robot
SIMPLER = PolicyConventions(orientation=UPRIGHT, gripper=Gripper(6, open=1.0, closed=0.0), to_relative="level",
                            binarize=True)
SIMPLER_TASKS = {  # harness task name -> SimplerEnv's task id (simpler_env/__init__.py ENVIRONMENTS)
    "pick_horizontal_coke_can": "google_robot_pick_horizontal_coke_can",
    "pick_vertical_coke_can": "google_robot_pick_vertical_coke_can",
    "pick_standing_coke_can": "google_robot_pick_standing_coke_can", "move_near": "google_robot_move_near",
    "open_drawer": "google_robot_open_drawer", "close_drawer": "google_robot_close_drawer",
    "put_apple_in_drawer": "google_robot_place_apple_in_closed_top_drawer",
    "put_carrot_on_plate": "widowx_carrot_on_plate", "put_spoon_on_towel": "widowx_spoon_on_towel",
    "stack_green_cube_on_yellow_cube": "widowx_stack_cube", "put_eggplant_in_basket": "widowx_put_eggplant_in_basket"}


def _protocol():
    try:
        from vla_eval.protocol import messages
    except ImportError as exc:
        raise ConfigError(f"policy 'vla_eval' needs PyPI vla-eval ({exc}); `make install` or pip install "
                          "vla-eval==0.8.0") from exc
    return messages


class VlaEvalWire:
    """vla-eval's message protocol with its LIBERO observation convention."""

    name = "vla_eval"

    def __init__(self, send_wrist_image: bool | None = None, send_state: bool | None = None,
                 benchmark: str = "libero") -> None:
        self.wanted = {"send_wrist_image": send_wrist_image, "send_state": send_state}
        self.benchmark, self._seq, self._open_episode = benchmark, 0, False
        self.metadata: dict[str, Any] = {}
        self._task: TaskInfo | None = None
        self._task_sent = False

    def spec(self, metadata: Any) -> PolicySpec:
        if self.benchmark not in BENCHMARKS:
            raise ConfigError(f"policy 'vla_eval' -P benchmark= takes {' or '.join(BENCHMARKS)}; got "
                              f"'{self.benchmark}'")
        if self.benchmark == "simpler":
            if self.params(metadata)["send_state"]:
                raise ConfigError("policy 'vla_eval' with -P benchmark=simpler does not send vla-eval's SimplerEnv "
                                  "state (base and tool poses); serve a model that reads images only, or "
                                  "-P send_state=false")
            return PolicySpec(name="vla_eval", version="simpler", cameras=("primary",), image_size=0,
                              conventions=SIMPLER)
        return PolicySpec(name="vla_eval", cameras=CAMERAS, image_size=RENDER_SIZE, conventions=conventions(POSE))

    def params(self, metadata: Any = None) -> dict[str, bool]:
        """What to send: the -P option when given (like vla-eval, the eval config wins), else the server's HELLO."""
        hello = self.metadata if metadata is None else metadata
        served_params = (hello.get("observation_params") if isinstance(hello, dict) else None) or {}
        return {k: bool(served_params.get(k, False) if v is None else v) for k, v in self.wanted.items()}

    def _message(self, kind: str, payload: dict[str, Any]) -> bytes:
        messages = _protocol()
        self._seq += 1
        return messages.pack_message(messages.Message(messages.MessageType(kind), payload, seq=self._seq))

    def handshake(self, channel: Any, timeout_s: float) -> Any:
        messages = _protocol()
        channel.send(self._message("hello", messages.make_hello_payload(benchmark=self.benchmark)))
        reply = messages.unpack_message(channel.recv(timeout=timeout_s))
        if reply.type is not messages.MessageType.HELLO:
            raise ValueError(f"expected HELLO from the vla-eval server, got {reply.type.value}")
        return reply.payload

    def connected(self, metadata: Any) -> None:
        # a new connection is a new server session: no episode is open on it
        self.metadata = metadata if isinstance(metadata, dict) else {}
        self._open_episode = self._task_sent = False

    def reset(self, task: TaskInfo) -> None:
        self._task, self._task_sent = task, False

    def observation(self, obs: Observation) -> dict[str, Any]:
        if self.benchmark == "simpler":
            task = self._task.task_name if self._task else ""
            return {"images": {"primary": obs.images["primary"]}, "task_description": obs.instruction,
                    "task_name": SIMPLER_TASKS.get(task, task)}
        from vla_eval.rotation import quat_to_axisangle

        view, params = libero_view(obs, "vla_eval"), self.params()
        out: dict[str, Any] = {"images": {"agentview": view.primary}, "task_description": view.instruction}
        if params["send_wrist_image"]:
            out["images"]["wrist"] = view.wrist
        if params["send_state"]:  # pos || vla-eval's own axis-angle (it flips quaternions with w < 0) || qpos
            pose = np.asarray(view.state[POSE.key], dtype=np.float64)
            out["states"] = np.concatenate([pose[:3], quat_to_axisangle(pose[3:7]), pose[7:9]])
        return out

    def encode(self, obs: Observation) -> list[bytes]:
        frames = []
        if not self._task_sent:  # a new episode (or a new connection): close the last one, open this one
            if self._open_episode:
                frames.append(self._message("episode_end", {}))
            task = self._task
            frames.append(self._message("episode_start", {"task": {
                "name": obs.instruction, "suite": task.suite if task else "", "task_id": task.task_id if task else 0,
                "started_at": time.time()}}))
            self._task_sent = self._open_episode = True
        frames.append(self._message("observation", self.observation(obs)))
        return frames

    def decode(self, reply: bytes) -> np.ndarray:
        messages = _protocol()
        try:
            message = messages.unpack_message(reply)
        except ValueError as exc:
            raise BadReply(f"sent an unusable reply: {exc}"[:2000]) from exc
        if message.type is messages.MessageType.ERROR or message.seq != self._seq:
            what = message.payload.get("error") if message.type is messages.MessageType.ERROR else \
                f"a {message.type.value} for message {message.seq}, not for observation {self._seq}"
            # an error for EPISODE_START is followed by the observation's reply: start afresh
            raise BadReply(f"replied with an error: {what}"[:2000], drop=True)
        try:
            raw = message.payload.get("actions", message.payload.get("action"))
            actions = np.atleast_2d(np.asarray(raw, dtype=np.float32))
            if actions.ndim != 2 or actions.shape[1] != 7:
                raise ValueError(f"actions of shape {np.shape(raw)}, expected (7,) or (k, 7)")
        except (AttributeError, TypeError, ValueError) as exc:
            raise BadReply(f"sent an unusable reply: {exc}"[:2000]) from exc
        if self.benchmark == "libero":
            actions[:, 6] = np.where(actions[:, 6] < 0, -1.0, 1.0)  # vla-eval LIBERO's step discretises the gripper
        return actions

    def farewell(self) -> list[bytes]:
        return [self._message("episode_end", {})] if self._open_episode else []


VlaEvalPolicy = served(VlaEvalWire)
