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
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from vla_harness.harness.errors import ConfigError
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.wire.libero_inputs import CAMERAS, POSE, RENDER_SIZE, conventions, libero_view


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
        return PolicySpec(name="vla_eval", cameras=CAMERAS, image_size=RENDER_SIZE, conventions=conventions(POSE))

    def params(self) -> dict[str, bool]:
        """What to send: the -P option when given (like vla-eval, the eval config wins), else the server's HELLO."""
        served_params = self.metadata.get("observation_params") or {}
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
        actions[:, 6] = np.where(actions[:, 6] < 0, -1.0, 1.0)  # vla-eval LIBERO's step discretises the gripper
        return actions

    def farewell(self) -> list[bytes]:
        return [self._message("episode_end", {})] if self._open_episode else []


VlaEvalPolicy = served(VlaEvalWire)
