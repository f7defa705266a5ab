"""The run directory's schema (docs/schema.md): which versions this code reads, and how older records are upgraded.

Additive changes (a new optional field) keep the version: readers ignore fields they do not know. A change that
older code would misread bumps `harness.SCHEMA_VERSION` and adds one upgrade step here, so every older run stays
readable. A directory written by a newer version than this code knows is refused with one line.
"""

from __future__ import annotations

from typing import Any, Callable

from vla_harness import harness
from vla_harness.harness.errors import UserError
from vla_harness.harness.types import EpisodeRecord


class SchemaError(UserError, ValueError):
    pass


def checked_version(found: Any, what: str) -> int:
    """The schema version a manifest or record was written with (1 when absent); newer than this code: an error."""
    version = 1 if found is None else int(found)
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
    return EpisodeRecord.from_dict(d)


def checked_manifest(manifest: dict[str, Any], where: str) -> dict[str, Any]:
    """A manifest this code can read (v1 and v2 manifests have the same fields)."""
    checked_version(manifest.get("schema_version"), where)
    return manifest
