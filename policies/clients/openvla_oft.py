"""`--policy openvla_oft --policy-url http://HOST:8777`: OpenVLA / OpenVLA-OFT's deploy server (HTTP POST /act).

The server is moojink/openvla-oft `vla-scripts/deploy.py` (commit 213c5ff): FastAPI, the body a JSON object whose
numpy arrays are json-numpy objects ({"__numpy__": base64, "dtype", "shape"}), the reply the chunk as a list of
arrays (or the string "error"). This client sends what the official LIBERO eval (experiments/robot/libero/
run_libero_eval.py `prepare_observation`) computes from a LIBERO state: `full_image` and `wrist_image` upright
(`[::-1, ::-1]` of the 256 px renders), `state` = eef pos || axis-angle || gripper qpos (8 floats), `instruction`.
The images go at 256 px: the server's `prepare_images_for_vla` (experiments/robot/openvla_utils.py) resizes any
image that is not 224 x 224 with the very function the eval loop uses (`resize_image_for_policy`: JPEG round trip +
TF lanczos3), so the model sees bit for bit what the official loop feeds it, without TensorFlow here; the server
then center-crops (its `center_crop` setting). Each returned action is post-processed as `process_action` does:
gripper [0, 1] -> [-1, +1] and binarised with sign, then inverted (OpenVLA's 1 = open -> LIBERO's -1 = open). The
first `open_loop_steps` (default 8 = NUM_ACTIONS_CHUNK for LIBERO) actions of each reply are executed.
Written with the standard library (urllib + json); failures as policies/remote.py: unreachable / hung / dying
server -> `policy_unreachable`, an unusable reply -> `policy_error`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import numpy as np

from vla_harness.harness.config import ConfigError
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.remote import (
    PolicyUnreachable,
    RemotePolicyError,
    backoff,
    check_on_unreachable,
    stop_if_unreachable,
)
from vla_harness.policies.wire.libero_inputs import CAMERAS, RENDER_SIZE, conventions, libero_view


def to_json_numpy(obj: Any) -> Any:
    """json.dumps default: numpy arrays and scalars as json-numpy objects (what json_numpy.patch() makes)."""
    if isinstance(obj, (np.ndarray, np.generic)):
        arr = np.ascontiguousarray(obj)
        return {"__numpy__": base64.b64encode(arr.tobytes()).decode(), "dtype": np.lib.format.dtype_to_descr(arr.dtype),
                "shape": list(arr.shape)}
    raise TypeError(f"cannot encode {type(obj).__name__}")


def from_json_numpy(obj: dict) -> Any:
    """json.loads object_hook: json-numpy objects back to arrays (plain numeric dtypes only)."""
    if "__numpy__" not in obj:
        return obj
    dtype = np.dtype(np.lib.format.descr_to_dtype(obj["dtype"]))
    if dtype.kind not in "biuf":
        raise ValueError(f"array dtype {dtype} is not allowed")
    arr = np.frombuffer(base64.b64decode(obj["__numpy__"]), dtype=dtype)
    shape = obj["shape"]
    return arr.reshape(shape) if shape else arr[0]


def process_action(actions: np.ndarray) -> np.ndarray:
    """run_libero_eval.process_action for model_family openvla: normalize_gripper_action(binarize) then invert."""
    out = np.array(actions, dtype=np.float64)
    out[..., -1] = np.sign(2.0 * out[..., -1] - 1.0)
    out[..., -1] *= -1.0
    return out.astype(np.float32)


class OpenVlaOftPolicy:
    def __init__(self, url: str | None = None, open_loop_steps: int = 8, connect_timeout_s: float = 10.0,
                 read_timeout_s: float = 60.0, reconnect_attempts: int = 3, reconnect_backoff_s: float = 0.5,
                 on_unreachable: str = "continue") -> None:
        if not url:
            raise ConfigError("policy 'openvla_oft' needs the server URL: --policy-url http://HOST:8777")
        check_on_unreachable(on_unreachable)
        base = url if "://" in url else f"http://{url}"
        self.url = base.rstrip("/").removesuffix("/act") + "/act"
        self.steps, self.on_unreachable = int(open_loop_steps), on_unreachable
        self.connect_timeout_s, self.read_timeout_s = float(connect_timeout_s), float(read_timeout_s)
        self.attempts, self.backoff_s = 1 + max(0, int(reconnect_attempts)), float(reconnect_backoff_s)
        self.unreachable = False
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a lab server, never a proxy
        self._probe()

    def spec(self) -> PolicySpec:
        stop_if_unreachable(self.url, self.unreachable, self.on_unreachable)
        return PolicySpec(name="openvla_oft", cameras=CAMERAS, image_size=RENDER_SIZE, chunk_len=self.steps,
                          conventions=conventions())

    def reset(self, task: TaskInfo) -> None:
        self.task = task

    def close(self) -> None:
        pass

    def observation(self, obs: Observation) -> dict[str, Any]:
        view = libero_view(obs, "openvla_oft")
        return {"full_image": view.primary, "wrist_image": view.wrist, "state": view.state8(),
                "instruction": view.instruction}

    def act(self, obs: Observation) -> np.ndarray:
        body = json.dumps(self.observation(obs), default=to_json_numpy).encode()
        reply = self._post(body)
        try:
            data = json.loads(reply, object_hook=from_json_numpy)
            if isinstance(data, str) and data != "error":  # deploy.py's double-encoded reply
                data = json.loads(data, object_hook=from_json_numpy)
        except (ValueError, TypeError) as exc:
            raise RemotePolicyError(f"server {self.url} sent an unusable reply: {exc}"[:500]) from exc
        if isinstance(data, str):
            raise RemotePolicyError(f"server {self.url} replied '{data}' (deploy.py logs the traceback)")
        try:
            actions = np.asarray(data, dtype=np.float64).reshape(-1, 7)
        except (TypeError, ValueError) as exc:
            raise RemotePolicyError(f"server {self.url} sent an unusable reply: {exc}"[:500]) from exc
        return process_action(actions[: self.steps])

    def _probe(self) -> None:
        """Fail at the start, not at the first episode: FastAPI serves its schema at /openapi.json."""
        self._request(urllib.request.Request(self.url.removesuffix("/act") + "/openapi.json"), self.connect_timeout_s)

    def _post(self, body: bytes) -> bytes:
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        return self._request(req, self.read_timeout_s)

    def _request(self, req: urllib.request.Request, timeout: float) -> bytes:
        errors: list[str] = []
        for attempt in range(self.attempts):
            if attempt:
                backoff(self.backoff_s, attempt)
            try:
                with self._opener.open(req, timeout=timeout) as resp:
                    data = resp.read()
                self.unreachable = False
                return data
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise RemotePolicyError(f"server {self.url} answered HTTP {exc.code}: {exc.reason}") from exc
                errors.append(f"HTTP {exc.code}")
            except OSError as exc:  # URLError, ConnectionError and TimeoutError (socket.timeout) are OSErrors
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    self.unreachable = True
                    raise PolicyUnreachable(f"policy server {self.url} sent no reply within {timeout:g} s; it "
                                            "looks hung") from None
                errors.append(f"{type(reason).__name__}: {reason}")
        self.unreachable = True
        raise PolicyUnreachable(f"policy server {self.url} unreachable after {len(errors)} attempt(s): "
                                + "; ".join(dict.fromkeys(errors)))
