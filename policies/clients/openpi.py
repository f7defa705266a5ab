"""`--policy openpi --policy-url ws://HOST:PORT`: a π0 / π0-FAST / π0.5 checkpoint served by openpi
(`scripts/serve_policy.py`), fed exactly what openpi's own LIBERO client sends.

The recipe is openpi's `examples/libero/main.py` (Physical-Intelligence/openpi, commit 15a9616a): both cameras
rendered at 256 px and rotated 180 degrees, each padded-resized to 224 with openpi-client's
`image_tools.resize_with_pad` and `convert_to_uint8`; `observation/state` = eef pos ‖ axis-angle(eef quat) ‖
gripper qpos (8 floats); `prompt` = the task's language; the first `replan_steps` (5) actions of each returned chunk
are executed before the next request. Rotation, camera roles and the state vector are declared in CONVENTIONS and
done by the worker (harness/convert.py); this wire only pads, resizes and speaks openpi's protocol. A benchmark whose
action space is not LIBERO's (`libero_osc_pose`: LIBERO and LIBERO-Plus) is refused before the first episode.

Transport, retries, timeouts, `token` and `on_unreachable` are policies/clients/transport.py's. The sizes and
`replan_steps` are options (`-P resize_size=224 -P render_size=256 -P replan_steps=5`), kept in the manifest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vla_harness.harness.errors import ConfigError
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies.clients.client import BadReply, served
from vla_harness.policies.clients.remote import pack, unpack_actions
from vla_harness.policies.wire.openpi_libero import CONVENTIONS, IMAGE_KEYS, STATE_KEY


def image_tools():
    try:
        from openpi_client import image_tools as tools
    except ImportError as exc:  # pragma: no cover - openpi-client is in requirements.txt
        raise ConfigError(f"policy 'openpi' needs the openpi-client package ({exc}); `make install` adds it") from exc
    return tools


class OpenpiWire:
    """openpi's LIBERO element over openpi's websocket protocol."""

    name = "openpi"

    def __init__(self, resize_size: int = 224, render_size: int = 256, replan_steps: int = 5) -> None:
        if min(int(resize_size), int(render_size), int(replan_steps)) < 1:
            raise ConfigError("openpi options resize_size, render_size and replan_steps must be >= 1")
        self.resize_size, self.render_size, self.replan_steps = int(resize_size), int(render_size), int(replan_steps)
        self.tools = image_tools()
        self.last_timing: dict[str, Any] = {}

    def spec(self, metadata: Any) -> PolicySpec:
        # Whatever serves it (openpi, or `vla-harness serve` with its openpi convention), this client speaks openpi.
        version = f"render{self.render_size}-resize{self.resize_size}-replan{self.replan_steps}"
        return PolicySpec(name="openpi", version=version, cameras=tuple(IMAGE_KEYS.values()),
                          image_size=self.render_size, replan_steps=self.replan_steps, action_dim=7,
                          conventions=CONVENTIONS)

    def element(self, obs: Observation) -> dict[str, Any]:
        """The request openpi's LIBERO client builds, from an observation already upright with the 8-d state."""
        size, tools = self.resize_size, self.tools
        out: dict[str, Any] = {key: tools.convert_to_uint8(tools.resize_with_pad(obs.images[role], size, size))
                               for key, role in IMAGE_KEYS.items()}
        out[STATE_KEY] = np.asarray(obs.state[STATE_KEY])
        out["prompt"] = str(obs.instruction)
        return out

    def encode(self, obs: Observation) -> bytes:
        return pack(self.element(obs))

    def decode(self, reply: bytes) -> np.ndarray:
        actions, self.last_timing = unpack_actions(reply)
        if actions.ndim != 2 or len(actions) < self.replan_steps:
            raise BadReply(f"returned actions of shape {actions.shape}; replanning every {self.replan_steps} steps "
                           "needs a chunk of at least that many (-P replan_steps=N)")
        return actions[: self.replan_steps]


OpenpiPolicy = served(OpenpiWire)
