"""`--policy vla_jepa_official --policy-url ws://HOST:PORT -P stats=PATH`: the official VLA-JEPA model server.

The server is ginwind/VLA-JEPA `deployment/model_server/server_policy.py` (a starVLA websocket server, msgpack with
numpy arrays, openpi-style: it sends its metadata first). This client sends, for a LIBERO / LIBERO-Plus state, what
the official LIBERO client sends (examples/LIBERO/eval_libero.py + model2libero_interface.py, commit ec8c70f):
`{"type": "infer", "payload": {batch_images: [[primary, wrist]] upright and cv2.INTER_AREA-resized 256 -> 224,
instructions: [text], unnorm_key, do_sample: False, use_ddim: True, num_ddim_steps: 10, state: [(1, 8) eef pos ||
axis-angle || gripper qpos]}}`, and turns the reply's `data.normalized_actions` (1, chunk, 7) into LIBERO actions as
that client does: clip to [-1, 1], gripper thresholded at 0.5 to {0, 1}, the masked dimensions un-normalised with
the checkpoint's dataset_statistics.json (min/max), then gripper open (1) -> -1, closed (0) -> +1. The chunk executed
is the checkpoint's `future_action_window_size + 1` (config.yaml beside the statistics; 8 for the LIBERO configs), or
`-P replan_steps=N`. Unreachable / hung / dropped server: `policy_unreachable` (policies/clients/transport.py); an
error reply: `policy_error`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from vla_harness.harness import codec
from vla_harness.harness.errors import ConfigError
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.clients.remote import pack
from vla_harness.policies.wire.libero_inputs import CAMERAS, RENDER_SIZE, conventions, libero_view

DEFAULT_CHUNK = 8  # starVLA/config/training/starvla_cotrain_libero.yaml: future_action_window_size 7, + 1


def load_stats(path: str | None, unnorm_key: str | None) -> dict[str, np.ndarray]:
    """The action statistics the official client un-normalises with (`norm_stats[unnorm_key]["action"]`)."""
    if not path:
        raise ConfigError("policy 'vla_jepa_official' needs the checkpoint's action statistics: "
                          "-P stats=PATH/dataset_statistics.json")
    try:
        table = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read stats={path}: {exc}") from exc
    if unnorm_key is None and len(table) != 1:
        raise ConfigError(f"{path} holds statistics of {', '.join(table)}: choose one with -P unnorm_key=NAME")
    key = unnorm_key if unnorm_key is not None else next(iter(table))
    if key not in table or "action" not in table[key]:
        raise ConfigError(f"{path} has no action statistics for unnorm_key '{key}'; it has {', '.join(table)}")
    action = table[key]["action"]
    low, high = np.asarray(action["min"], np.float64), np.asarray(action["max"], np.float64)
    mask = np.asarray(action.get("mask", np.ones_like(low, dtype=bool)), dtype=bool)
    return {"min": low, "max": high, "mask": mask}


def chunk_from_config(stats_path: str | None) -> int:
    """`future_action_window_size + 1` from the run's config.yaml (beside dataset_statistics.json), else 8."""
    config = Path(stats_path).parent / "config.yaml" if stats_path else None
    if config is None or not config.exists():
        return DEFAULT_CHUNK
    data = yaml.safe_load(config.read_text()) or {}
    window = ((data.get("framework") or {}).get("action_model") or {}).get("future_action_window_size")
    return int(window) + 1 if window is not None else DEFAULT_CHUNK


def unnormalize(normalized: np.ndarray, stats: dict[str, np.ndarray]) -> np.ndarray:
    """The official client's post-processing, from normalised (chunk, 7) to LIBERO actions (gripper -1 open)."""
    a = np.clip(np.asarray(normalized, dtype=np.float64), -1.0, 1.0)
    a[:, 6] = np.where(a[:, 6] < 0.5, 0.0, 1.0)
    actions = np.where(stats["mask"], 0.5 * (a + 1.0) * (stats["max"] - stats["min"]) + stats["min"], a)
    actions[:, 6] = 1.0 - 2.0 * (actions[:, 6] > 0.5)  # open_gripper 1 -> -1 (open), 0 -> +1 (close)
    return actions.astype(np.float32)


def resize_area(image: np.ndarray, size: int) -> np.ndarray:
    """cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA), as model2libero_interface._resize_image."""
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


class VlaJepaOfficialWire:
    """starVLA's websocket server (msgpack, metadata first) with the official VLA-JEPA LIBERO client's request."""

    name = "vla_jepa_official"
    renamed_options = {"chunk_len": "replan_steps"}  # its 0.1 name

    def __init__(self, stats: str | None = None, unnorm_key: str | None = None, replan_steps: int | None = None,
                 image_size: int = 224, use_ddim: bool = True, num_ddim_steps: int = 10,
                 with_state: bool = True) -> None:
        self.stats = load_stats(stats, unnorm_key)
        self.unnorm_key, self.resize_to, self.with_state = unnorm_key, int(image_size), bool(with_state)
        self.use_ddim, self.num_ddim_steps = bool(use_ddim), int(num_ddim_steps)
        self.chunk = int(replan_steps) if replan_steps else chunk_from_config(stats)

    def spec(self, metadata: Any) -> PolicySpec:
        return PolicySpec(name="vla_jepa_official", cameras=CAMERAS, image_size=RENDER_SIZE, replan_steps=self.chunk,
                          conventions=conventions())

    def request(self, obs: Observation) -> dict[str, Any]:
        view = libero_view(obs, "vla_jepa_official")
        payload: dict[str, Any] = {
            "batch_images": [[resize_area(view.primary, self.resize_to), resize_area(view.wrist, self.resize_to)]],
            "instructions": [view.instruction], "unnorm_key": self.unnorm_key, "do_sample": False,
            "use_ddim": self.use_ddim, "num_ddim_steps": self.num_ddim_steps}
        if self.with_state:
            payload["state"] = [view.state8()[None]]
        return {"payload": payload, "type": "infer"}

    def encode(self, obs: Observation) -> bytes:
        return pack(self.request(obs))

    def decode(self, reply: bytes) -> np.ndarray:
        try:
            message = codec.unpackb(reply)
        except codec.CodecError as exc:
            raise BadReply(f"sent an unusable reply: {exc}") from exc
        if not isinstance(message, dict) or not message.get("ok", message.get("status") == "ok"):
            error = message.get("error") if isinstance(message, dict) else message
            text = error.get("message") if isinstance(error, dict) else error
            raise BadReply(f"replied with an error: {text}"[:2000])
        try:
            normalized = np.asarray(message["data"]["normalized_actions"], dtype=np.float64)[0]
            if normalized.ndim != 2 or normalized.shape[1] != 7:
                raise ValueError(f"normalized_actions[0] has shape {normalized.shape}, expected (chunk, 7)")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise BadReply(f"sent an unusable reply: {exc}"[:2000]) from exc
        return unnormalize(normalized, self.stats)[: self.chunk]


VlaJepaOfficialPolicy = served(VlaJepaOfficialWire)
