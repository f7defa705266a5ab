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
first `replan_steps` (default 8 = NUM_ACTIONS_CHUNK for LIBERO; openvla-oft's `num_open_loop_steps`) actions of each
reply are executed. Over the HTTP transport (policies/clients/http.py, standard library): unreachable / hung / dying
server -> `policy_unreachable`, an unusable reply -> `policy_error`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.clients.http import HttpRoute
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


class OpenVlaOftWire:
    """deploy.py's HTTP API: the official LIBERO observation as json-numpy, the chunk back as a list of arrays."""

    name = "openvla_oft"
    renamed_options = {"open_loop_steps": "replan_steps"}  # its 0.1 name (openvla-oft's num_open_loop_steps)

    def __init__(self, replan_steps: int = 8) -> None:
        self.steps = int(replan_steps)

    def spec(self, metadata: Any) -> PolicySpec:
        return PolicySpec(name="openvla_oft", cameras=CAMERAS, image_size=RENDER_SIZE, replan_steps=self.steps,
                          conventions=conventions())

    def observation(self, obs: Observation) -> dict[str, Any]:
        view = libero_view(obs, "openvla_oft")
        return {"full_image": view.primary, "wrist_image": view.wrist, "state": view.state8(),
                "instruction": view.instruction}

    def encode(self, obs: Observation) -> bytes:
        return json.dumps(self.observation(obs), default=to_json_numpy).encode()

    def decode(self, reply: bytes) -> np.ndarray:
        try:
            data = json.loads(reply, object_hook=from_json_numpy)
            if isinstance(data, str) and data != "error":  # deploy.py's double-encoded reply
                data = json.loads(data, object_hook=from_json_numpy)
        except (ValueError, TypeError) as exc:
            raise BadReply(f"sent an unusable reply: {exc}"[:500]) from exc
        if isinstance(data, str):
            raise BadReply(f"replied '{data}' (deploy.py logs the traceback)")
        try:
            actions = np.asarray(data, dtype=np.float64).reshape(-1, 7)
        except (TypeError, ValueError) as exc:
            raise BadReply(f"sent an unusable reply: {exc}"[:500]) from exc
        return process_action(actions[: self.steps])


OpenVlaOftPolicy = served(OpenVlaOftWire, HttpRoute(path="/act", probe="/openapi.json"), scheme="http")
