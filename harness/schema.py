"""The run directory's schema (docs/schema.md): which versions this code reads, and how older records are upgraded.

Additive changes (a new optional field) keep the version: readers ignore fields they do not know. A change that
older code would misread bumps `harness.SCHEMA_VERSION` and adds one upgrade step here, so every older run stays
readable. A directory written by a newer version than this code knows is refused with one line.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from vla_harness import harness
from vla_harness.harness.config import RunConfig
from vla_harness.harness.errors import UserError
from vla_harness.harness.manifest import RunManifest
from vla_harness.harness.protocols import BenchProtocol
from vla_harness.harness.secrets import redact_config
from vla_harness.harness.shapes import ShapeError, check_fields
from vla_harness.harness.types import EpisodeRecord, known_fields


class SchemaError(UserError, ValueError):
    pass


def checked_version(found: Any, what: str) -> int:
    """The schema version a manifest or record was written with (1 when absent); newer than this code: an error."""
    if found is not None and (isinstance(found, bool) or not isinstance(found, int) or found < 1):
        raise ShapeError(f"schema_version must be an integer >= 1, got {json.dumps(found, default=str)}")
    version = 1 if found is None else found
    if version > harness.SCHEMA_VERSION:
        raise SchemaError(f"{what} has schema_version {version}, this vla-harness reads versions 1-"
                          f"{harness.SCHEMA_VERSION}: upgrade vla-harness to read it")
    return version


def _v1_to_v2(d: dict[str, Any], run_policy: str | None) -> dict[str, Any]:
    """v2 names the policy in every record; a v1 record gets the run's policy name (version and target unknown)."""
    return {**d, "policy": {"name": run_policy} if run_policy else None}


UPGRADES: dict[int, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {1: _v1_to_v2}


def record_from_dict(d: dict[str, Any], run_policy: str | None = None, where: str = "record") -> EpisodeRecord:
    """A stored record of any version this code reads, upgraded in memory to the current one (files stay as written).
    `run_policy` is the run's policy name from its manifest, for records that predate the `policy` field."""
    version = checked_version(d.get("schema_version"), where)
    while version < harness.SCHEMA_VERSION:
        d = {**UPGRADES[version](d, run_policy), "schema_version": version + 1}
        version += 1
    check_fields(EpisodeRecord, d, "", RECORD_LOOSE)  # ShapeError (a ValueError): readers skip the line, naming it
    policy = d.get("policy")
    if isinstance(policy, dict) and isinstance(policy.get("target"), str):
        d = {**d, "policy": {**policy, "target": current_target(policy["target"])}}
    return EpisodeRecord.from_dict(d)


RECORD_LOOSE = frozenset({"PolicyRef.version"})  # what an adapter or a policy server calls its version: any value


# Module paths as vla-harness 0.1 wrote them in `module:attr` targets (run configs, records): before the one
# `vla_harness` namespace, and before clients, wire and training got rooms of their own.
ROOMS = ("harness", "benchmarks", "policies", "results", "recording", "training", "cli")
MOVED_MODULES = {
    "policies.remote": "policies.clients.remote", "policies.openpi": "policies.clients.openpi",
    "policies.openvla_oft": "policies.clients.openvla_oft", "policies.vla_eval_client": "policies.clients.vla_eval",
    "policies.vla_jepa_official": "policies.clients.vla_jepa_official", "policies.server.codec": "harness.codec",
    "policies.server.openpi_wire": "policies.wire.openpi_wire", "policies.libero_inputs": "policies.wire.libero_inputs",
    "policies.openpi_libero": "policies.wire.openpi_libero", "policies.vla_jepa.train": "training.vla_jepa.train",
    "policies.vla_jepa.train_cmd": "training.vla_jepa.train_cmd", "policies.vla_jepa.gates": "training.vla_jepa.gates",
    "policies.vla_jepa.probes": "training.vla_jepa.probes",
}


def current_target(target: str) -> str:
    """A 0.1 target (`policies.remote:RemotePolicy`) as this layout names it; anything else unchanged."""
    module, sep, attr = target.partition(":")
    if module.split(".")[0] not in ROOMS:
        return target
    module = MOVED_MODULES.get(module, module)
    return f"vla_harness.{module}{sep}{attr}"


def manifest_from_dict(manifest: Any, where: str) -> RunManifest:
    """A stored manifest, its version and the types of its fields checked (v1 and v2 manifests have the same fields):
    one SchemaError naming the field when one does not fit."""
    try:
        if not isinstance(manifest, dict) or not isinstance(manifest.get("config"), dict):
            raise ShapeError("it is not a run manifest (no 'config' object)")
        checked_version(manifest.get("schema_version"), where)
        check_fields(RunManifest, manifest, "", frozenset({"RunManifest.config", "RunManifest.protocol"}))
        for name in ("bench", "policy"):
            if not isinstance(manifest["config"].get(name), str):
                raise ShapeError(f"config.{name} must be a string, got {manifest['config'].get(name)!r}")
        check_fields(RunConfig, manifest["config"], "config", partial=True)
        check_fields(BenchProtocol, manifest.get("protocol") or {}, "protocol",
                     frozenset({"BenchProtocol.conventions"}), partial=True)
    except ShapeError as exc:
        raise SchemaError(f"{where} does not fit the run manifest schema: {exc} (docs/schema.md); the records in "
                          "episodes.jsonl are untouched") from None
    fields = known_fields(RunManifest, manifest)
    return RunManifest(**{**fields, "config": redact_config(fields["config"])})  # an older run's secret: not shown
