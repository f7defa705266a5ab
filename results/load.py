"""Stored runs as report columns: manifest + records, labelled by policy/checkpoint; one protocol per bench."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

from vla_harness.harness.config import ConfigError
from vla_harness.harness.errors import UserError
from vla_harness.harness.manifest import differences
from vla_harness.harness.store import EPISODES, RunStore, scan_records
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import dedupe


class ProtocolMismatch(UserError, RuntimeError):
    """Runs whose protocol hashes differ were asked to share a table row."""


@dataclass
class RunData:
    path: Path
    manifest: dict[str, Any]
    records: list[EpisodeRecord]  # every stored attempt, file order
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # unreadable lines, skipped (results.health)
    torn_tail: tuple[int, str] | None = None

    @property
    def config(self) -> dict[str, Any]:
        return self.manifest.get("config", {})

    @property
    def bench(self) -> str:
        return self.config.get("bench") or (self.records[0].spec.bench if self.records else "?")

    @property
    def protocol_group(self) -> str:
        """Runs that must share one protocol hash: same bench, and both clean or both a perturbation sweep."""
        return self.bench + (SWEEP if (self.config.get("bench_options") or {}).get("perturb") else "")

    @property
    def protocol_hash(self) -> str:
        return str(self.manifest.get("protocol_hash", "?"))

    @property
    def paper_protocol(self) -> str:
        """The named paper protocol (`--protocol`) the run used; '-' for a benchmark without named protocols."""
        return str(named_protocol(self.manifest).get("name") or "-")

    @property
    def label(self) -> str:
        """Policy name, plus the checkpoint's file name when there is one."""
        policy = str(self.config.get("policy") or self.manifest.get("run_id") or self.path.name)
        ckpt = (self.config.get("policy_options") or {}).get("checkpoint")
        return f"{policy}:{Path(str(ckpt)).name}" if ckpt else policy


@dataclass
class Column:
    """One policy/checkpoint: the runs given the same label, their records merged and deduplicated."""

    label: str
    runs: list[RunData] = field(default_factory=list)

    @cached_property
    def records(self) -> list[EpisodeRecord]:
        return dedupe(r for run in self.runs for r in run.records)

    def overlapping_keys(self) -> int:
        seen: set[str] = set()
        overlap = 0
        for run in self.runs:
            keys = {r.key for r in run.records}
            overlap += len(keys & seen)
            seen |= keys
        return overlap


LIBERO_SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10", "libero_90")


SWEEP = " (perturbation sweep)"


def bench_label(rec: EpisodeRecord) -> str:
    """The bench as tables show it: a native perturbation sweep of a LIBERO suite is not the clean suite."""
    return rec.spec.bench + (SWEEP if rec.spec.perturbation and rec.spec.bench != "libero_plus" else "")


def family(label: str) -> str:
    """LIBERO's suites are separate benches (one run each) but belong in one table."""
    return "libero" if label in LIBERO_SUITES else label


def scoped(columns: Sequence[Column], fam: str | None) -> list[tuple[str, list[EpisodeRecord]]]:
    """(label, records) of the columns with episodes in this benchmark family (all columns when fam is None)."""
    pairs = [(c.label, [r for r in c.records if fam is None or family(bench_label(r)) == fam]) for c in columns]
    return [(label, recs) for label, recs in pairs if recs or fam is None]


def load_run(path: str | Path) -> RunData:
    """A run as readers see it (no lock taken); each unreadable line is skipped with a warning naming it."""
    store = RunStore(Path(path))
    manifest = store.read_manifest()
    scan = scan_records(store.dir)
    for line in scan.warnings(store.dir / EPISODES):
        print(f"warning: {line}", file=sys.stderr)
    return RunData(Path(path), manifest, scan.records, scan.bad_lines, scan.torn_tail)


def load_columns(paths: Sequence[str | Path], labels: Sequence[str] | None = None) -> list[Column]:
    """Runs with the same label (default: policy + checkpoint) share a column; later runs win on a shared key."""
    runs = [load_run(p) for p in paths]
    if labels and len(labels) != len(runs):
        raise ConfigError(f"--label was given {len(labels)} times for {len(runs)} run directories; give one per run")
    columns: dict[str, Column] = {}
    for i, run in enumerate(runs):
        label = labels[i] if labels else run.label
        columns.setdefault(label, Column(label)).runs.append(run)
    return list(columns.values())


def protocol_fields(run: RunData) -> dict[str, Any]:
    """What the protocol hash covers: the benchmark protocol plus the config fields hashed with it."""
    config = {name: run.config.get(name) for name in ("bench", "max_steps", "bench_options")}
    if run.config.get("vision_probe", "none") != "none":  # hashed only when set (harness/plan.py hash_fields)
        config["vision_probe"] = run.config["vision_probe"]
    return {"protocol": run.manifest.get("protocol", {}), "config": config}


def protocol_diff(a: RunData, b: RunData) -> list[str]:
    diffs = differences(protocol_fields(a), protocol_fields(b))
    return diffs or ["(no recorded field differs: the hashes come from different harness code)"]


def protocol_conflicts(runs: Sequence[RunData]) -> list[str]:
    """One line per pair of runs of the same benchmark whose protocol hashes differ."""
    first_by_bench: dict[str, RunData] = {}
    lines = []
    for run in runs:
        ref = first_by_bench.setdefault(run.protocol_group, run)
        if run.protocol_hash != ref.protocol_hash:
            lines.append(f"{run.protocol_group}: {ref.path} ({ref.protocol_hash}) vs {run.path} ({run.protocol_hash}) "
                         "differ in " + "; ".join(protocol_diff(ref, run)))
    return lines


def named_protocol(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's named paper protocol (benchmarks/libero/presets.py as recorded), {} when there is none."""
    return ((manifest.get("protocol") or {}).get("extra") or {}).get("paper_protocol") or {}


def protocol_line(manifest: dict[str, Any]) -> str | None:
    """The line shown under every table: the named protocol's numbers, and a --max-steps override if any."""
    summary = named_protocol(manifest).get("summary")
    override = (manifest.get("config") or {}).get("max_steps")
    if summary and override:
        return f"{summary}; max steps overridden to {override} (--max-steps)"
    return summary


def protocol_notes(columns: Sequence[Column]) -> list[str]:
    """One note per distinct protocol line among the runs (which columns use it when there are several)."""
    users: dict[str, list[str]] = {}
    for col in columns:
        for run in col.runs:
            line = protocol_line(run.manifest)
            if line and col.label not in users.setdefault(line, []):
                users[line].append(col.label)
    if len(users) == 1:
        return list(users)
    return [f"{line} [{', '.join(labels)}]" for line, labels in users.items()]


def check_columns(columns: Sequence[Column]) -> None:
    """A column is one policy under one named protocol: runs of two protocols never merge (no override)."""
    for col in columns:
        names = sorted({run.paper_protocol for run in col.runs})
        if len(names) > 1:
            raise ProtocolMismatch(f"column '{col.label}' mixes runs of protocols {', '.join(names)}; a column holds "
                                   "one protocol: give the runs different --label values")


def check_protocols(columns: Sequence[Column], allow_mismatch: bool = False) -> list[str]:
    """Raise ProtocolMismatch (or, when allowed, return the differences as notes) if one bench has two protocols;
    two named protocols in one column are refused even when allowed."""
    check_columns(columns)
    conflicts = protocol_conflicts([run for col in columns for run in col.runs])
    if conflicts and not allow_mismatch:
        raise ProtocolMismatch("runs with different protocol hashes cannot share a table: " + " | ".join(conflicts)
                               + " (report them separately, or pass --allow-protocol-mismatch)")
    return [f"PROTOCOL MISMATCH (allowed): {c}" for c in conflicts]
