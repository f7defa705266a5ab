"""What a run evaluated, as reports name it: the policy, the model behind it, the options that change its behaviour.

The policy declares its identity (`PolicySpec.identity`, e.g. a checkpoint's sha256, or a served model's, which comes
in the server's metadata) and every record carries it (`record.policy`); this module only reads it. Runs whose
identities differ never share a report column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from vla_harness.harness.errors import UserError
from vla_harness.harness.types import EpisodeRecord

# Policy options that reach the model but do not change what it does: where it is, how to reach it, how long to wait.
# `checkpoint` stands in the identity as the checkpoint's digest when the policy declares one.
TRANSPORT_OPTIONS = frozenset({"url", "token", "connect_timeout_s", "read_timeout_s", "reconnect_attempts",
                               "reconnect_backoff_s", "on_unreachable", "threads", "max_message_bytes"})
DIGEST = "sha256"
SHOWN_DIGEST = 8  # hex digits of the digest a label shows


class PolicyMismatch(UserError, ValueError):
    """Runs of different policies (or one run whose records name several) were asked to share a column."""


@dataclass(frozen=True)
class PolicyIdentity:
    policy: str  # the name the run asked for (config.policy)
    name: str  # the policy's own name (a served one's, e.g. remote:zero); the config's when not recorded
    version: str | None
    declared: tuple[tuple[str, str], ...]  # what the policy declared (checkpoint, sha256, ...); () if nothing
    options: tuple[tuple[str, str], ...]  # behaviour options from the run's config (checkpoint apart)
    checkpoint: str | None = None  # the declared checkpoint, else the config's option
    recorded: bool = True  # False: no record names an identity (older runs, no records): the config alone

    @property
    def key(self) -> str:
        """Equal keys mean the same policy: the checkpoint's path drops out when its digest is known."""
        declared = dict(self.declared)
        if DIGEST in declared:
            declared.pop("checkpoint", None)
        where = None if DIGEST in declared else self.checkpoint
        return json.dumps([self.name, self.version, sorted(declared.items()), list(self.options), where])

    def same_as(self, other: "PolicyIdentity") -> bool:
        """One policy; an identity known only from the config is matched on what the configs say."""
        if self.recorded and other.recorded:
            return self.key == other.key
        return (self.policy, self.options, self.checkpoint) == (other.policy, other.options, other.checkpoint)

    @property
    def label(self) -> str:
        text = self.name + (f":{Path(self.checkpoint).name}" if self.checkpoint else "")
        digest = dict(self.declared).get(DIGEST)
        text += f"@{digest[:SHOWN_DIGEST]}" if digest else ""
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return text + (f"[{opts}]" if opts else "")

    def describe(self) -> str:
        """Every field, for the runs table and error messages."""
        declared = ", ".join(f"{k}={v}" for k, v in self.declared) or (
            f"checkpoint={self.checkpoint}" if self.checkpoint else "declares no model" if self.recorded
            else "identity not recorded")
        opts = ", ".join(f"{k}={v}" for k, v in self.options) or "no options"
        return f"{self.name} v{self.version or '?'} ({declared}; {opts})"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def behaviour_options(config: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    opts = config.get("policy_options") or {}
    return tuple(sorted((str(k), _text(v)) for k, v in opts.items()
                        if k not in TRANSPORT_OPTIONS and k != "checkpoint" and v is not None))


def identities(config: dict[str, Any], records: Iterable[EpisodeRecord]) -> list[PolicyIdentity]:
    """The distinct identities a run's records name; one from the config alone when none records one."""
    policy, options = str(config.get("policy") or "?"), behaviour_options(config)
    option_ckpt = (config.get("policy_options") or {}).get("checkpoint")
    option_ckpt = str(option_ckpt) if option_ckpt else None
    found: dict[str, PolicyIdentity] = {}
    versions = set()
    for rec in records:
        ref = rec.policy
        if ref is not None and ref.version is not None:
            versions.add(ref.version)
        if ref is None or ref.identity is None:
            continue  # written before identities were recorded, or for a lost attempt: names no model
        declared = tuple(sorted(ref.identity.items()))
        ident = PolicyIdentity(policy, ref.spec_name or ref.name, ref.version, declared, options,
                               ref.identity.get("checkpoint") or option_ckpt)
        found.setdefault(ident.key, ident)
    if found:
        return list(found.values())
    version = next(iter(versions)) if len(versions) == 1 else None
    return [PolicyIdentity(policy, policy, version, (), options, option_ckpt, recorded=False)]


def run_identity(path: Path, config: dict[str, Any], records: Sequence[EpisodeRecord]) -> PolicyIdentity:
    """A run's one identity; a run whose records name several (its checkpoint changed before a resume) is refused."""
    found = identities(config, records)
    if len(found) > 1:
        raise PolicyMismatch(f"run {path} holds records of {len(found)} different policies ("
                             + "; ".join(i.describe() for i in found[:3]) + "): was its checkpoint or server changed "
                             "before a resume? Report its episodes as separate runs")
    return found[0]


def unique_labels(idents: Sequence[PolicyIdentity]) -> list[str]:
    """A label per identity; identities whose labels collide get their version, then a short hash of their key."""
    labels = [i.label for i in idents]
    for _ in range(2):
        for i, ident in enumerate(idents):
            clash = {idents[j].key for j in range(len(idents)) if labels[j] == labels[i]}
            if len(clash) > 1:
                labels[i] += (f"~v{ident.version}" if not labels[i].count("~") else
                              "#" + hashlib.sha256(ident.key.encode()).hexdigest()[:6])
    return labels


def check_same_policy(label: str, runs: Sequence[tuple[Path, PolicyIdentity]]) -> None:
    """Runs given one --label must be one policy (PolicyIdentity.same_as)."""
    odd = [(path, ident) for path, ident in runs[1:] if not ident.same_as(runs[0][1])]
    if odd:
        shown = "; ".join(f"{path}: {ident.describe()}" for path, ident in [runs[0], *odd][:3])
        raise PolicyMismatch(f"--label '{label}' names runs of different policies ({shown}); a column holds one "
                             "policy: give them different --label values")
