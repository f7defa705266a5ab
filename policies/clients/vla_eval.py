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
controller's pose, used by X-VLA) is not sent. Failures as policies/remote.py.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from websockets.sync.client import ClientConnection

from vla_harness.harness.config import ConfigError
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.clients.remote import RemotePolicy, RemotePolicyError
from vla_harness.policies.wire.libero_inputs import CAMERAS, POSE, RENDER_SIZE, conventions, libero_view


def _protocol():
    try:
        from vla_eval.protocol import messages
    except ImportError as exc:
        raise ConfigError(f"policy 'vla_eval' needs PyPI vla-eval ({exc}); `make install` or pip install "
                          "vla-eval==0.8.0") from exc
    return messages


class VlaEvalPolicy(RemotePolicy):
    def __init__(self, url: str | None = None, send_wrist_image: bool | None = None, send_state: bool | None = None,
                 benchmark: str = "libero", **remote: Any) -> None:
        self.wanted = {"send_wrist_image": send_wrist_image, "send_state": send_state}
        self.benchmark, self._seq, self._open_episode = benchmark, 0, False
        super().__init__(url=url, **remote)

    def _served_spec(self, metadata: Any) -> PolicySpec:
        return PolicySpec(name="vla_eval", cameras=CAMERAS, image_size=RENDER_SIZE, chunk_len=1,
                          conventions=conventions(POSE))

    def params(self) -> dict[str, bool]:
        """What to send: the -P option when given (like vla-eval, the eval config wins), else the server's HELLO."""
        served = self.metadata.get("observation_params") or {}
        return {k: bool(served.get(k, False) if v is None else v) for k, v in self.wanted.items()}

    def _message(self, kind: str, payload: dict[str, Any]) -> bytes:
        messages = _protocol()
        self._seq += 1
        return messages.pack_message(messages.Message(messages.MessageType(kind), payload, seq=self._seq))

    def _handshake(self, ws: ClientConnection) -> Any:
        messages = _protocol()
        ws.send(self._message("hello", messages.make_hello_payload(benchmark=self.benchmark)))
        reply = messages.unpack_message(ws.recv(timeout=self.connect_timeout_s))
        if reply.type is not messages.MessageType.HELLO:
            raise ValueError(f"expected HELLO from the vla-eval server, got {reply.type.value}")
        self._open_episode = False  # a new connection is a new server session
        return reply.payload

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

    def _frames(self, obs: Observation) -> list[bytes]:
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

    def _actions(self, reply: bytes) -> np.ndarray:
        messages = _protocol()
        try:
            message = messages.unpack_message(reply)
        except ValueError as exc:
            raise RemotePolicyError(f"server {self.url} sent an unusable reply: {exc}"[:2000]) from exc
        if message.type is messages.MessageType.ERROR or message.seq != self._seq:
            self._drop()  # an error for EPISODE_START is followed by the observation's reply: start afresh
            what = message.payload.get("error") if message.type is messages.MessageType.ERROR else \
                f"a {message.type.value} for message {message.seq}, not for observation {self._seq}"
            raise RemotePolicyError(f"server {self.url} replied with an error: {what}"[:2000])
        try:
            raw = message.payload.get("actions", message.payload.get("action"))
            actions = np.atleast_2d(np.asarray(raw, dtype=np.float32))
            if actions.ndim != 2 or actions.shape[1] != 7:
                raise ValueError(f"actions of shape {np.shape(raw)}, expected (7,) or (k, 7)")
        except (AttributeError, TypeError, ValueError) as exc:
            raise RemotePolicyError(f"server {self.url} sent an unusable reply: {exc}"[:2000]) from exc
        actions[:, 6] = np.where(actions[:, 6] < 0, -1.0, 1.0)  # vla-eval LIBERO's step discretises the gripper
        return actions

    def close(self) -> None:
        if self._ws is not None and self._open_episode:
            try:
                self._ws.send(self._message("episode_end", {}))
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        super().close()
