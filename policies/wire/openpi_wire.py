"""Requests from an unmodified openpi LIBERO client (openpi examples/libero/main.py @15a9616a): the element
{"observation/image", "observation/wrist_image": upright uint8 H x W x 3, "observation/state": eef pos ‖ axis-angle ‖
gripper qpos (8), "prompt"}. The server turns them into the served policy's own convention with the same plan the
worker uses (harness/convert.py, from the wire's declared conventions, policies/clients/openpi.py WIRE) and maps the
policy's gripper values back onto LIBERO's, which is what such a client executes."""

from __future__ import annotations

from typing import Any

from vla_harness.harness.config import ConfigError
from vla_harness.harness.convert import ConversionPlan, plan_for
from vla_harness.harness.types import PolicySpec
from vla_harness.policies.wire.openpi_libero import IMAGE_KEYS, STATE_KEY, WIRE, WIRE_NAME

KEYS = (*IMAGE_KEYS, STATE_KEY, "prompt")


class WireError(ValueError):
    """The request or the served policy does not fit openpi's LIBERO convention (sent back as text)."""


def is_openpi(message: Any) -> bool:
    return isinstance(message, dict) and any(isinstance(k, str) and k.startswith("observation/") for k in message)


def as_harness(message: dict) -> dict[str, Any]:
    """The openpi element as a harness request map (images and state under the wire's names)."""
    unknown = sorted(str(k) for k in message if k not in KEYS)
    missing = [k for k in KEYS[:-1] if k not in message]
    if unknown or missing:
        raise WireError(f"openpi-convention requests carry exactly {', '.join(KEYS)} (openpi's LIBERO client); "
                        f"got unknown {unknown or 'none'}, missing {missing or 'none'}")
    request = {"images": {k: message[k] for k in IMAGE_KEYS}, "state": {STATE_KEY: message[STATE_KEY]}}
    if "prompt" in message:
        request["prompt"] = message["prompt"]
    return request


def wire_plan(spec: PolicySpec) -> ConversionPlan:
    """How the served policy is fed from openpi's LIBERO element; a WireError says why it cannot be."""
    if spec.conventions is None:
        raise WireError(f"policy '{spec.name}' declares no conventions, so {WIRE_NAME} requests cannot be converted "
                        "for it (docs/conventions.md); use the harness request keys")
    if spec.privileged:
        raise WireError(f"policy '{spec.name}' reads privileged simulator state, which {WIRE_NAME} clients do not send")
    try:
        return plan_for(WIRE, spec, f"{WIRE_NAME} clients", len(WIRE.action.dims))
    except ConfigError as exc:
        raise WireError(str(exc)) from exc


def describe(spec: PolicySpec) -> str:
    """For the server's metadata: how openpi LIBERO clients are served, or why they cannot be."""
    try:
        wire_plan(spec)
    except WireError as exc:
        return f"refused: {exc}"
    return ("keys " + ", ".join(KEYS) + "; images upright uint8 (any size, resized to the policy's), state "
            "eef_pos+eef_axis_angle+gripper_qpos (8); actions returned with LIBERO's gripper (-1 open, +1 closed)")
