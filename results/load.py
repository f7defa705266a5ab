"""Stored runs as report columns: manifest + records, labelled by policy/checkpoint; one protocol per bench."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Sequence

from vla_harness.harness.config import ConfigError
from vla_harness.harness.errors import ProtocolMismatch
from vla_harness.harness.manifest import RunManifest, differences, hashed_config, hashed_part
from vla_harness.harness.runs import StoredRun, open_run
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import dedupe
from vla_harness.results.facts import facts_of
from vla_harness.results.identity import PolicyIdentity, check_same_policy, run_identity, unique_labels


@dataclass(frozen=True)
class RunData(StoredRun):
    """A stored run (harness.runs.open_run) as reports see it: its bench, protocol group and column label."""

    @property
    def config(self) -> dict[str, Any]:
        return self.manifest.config

    @property
    def bench(self) -> str:
        return self.config.get("bench") or (self.records[0].spec.bench if self.records else "?")

    @property
    def protocol_group(self) -> str:
        """Runs that must share one protocol hash: same bench, and both clean or both a perturbation sweep."""
        return self.bench + (SWEEP if (self.config.get("bench_options") or {}).get("perturb") else "")

    @property
    def protocol_hash(self) -> str:
        return str(self.manifest.protocol_hash or "?")

    @property
    def paper_protocol(self) -> str:
        """The named paper protocol (`--protocol`) the run used; '-' for a benchmark without named protocols."""
        return str(named_protocol(self.manifest).get("name") or "-")

    @cached_property
    def identity(self) -> PolicyIdentity:
        """What the run evaluated, as its records name it (results/identity.py)."""
        return run_identity(self.path, self.config, self.records)

    @property
    def label(self) -> str:
        """The policy's name, checkpoint and digest, behaviour options: e.g. vla_jepa:vla_jepa_fresh@1a2b3c4d."""
        return self.identity.label


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


SWEEP = " (perturbation sweep)"


def bench_label(rec: EpisodeRecord) -> str:
    """The bench as tables show it: a native perturbation sweep of a suite (its episodes' bench is the suite itself)
    is not the clean suite; a perturbation family's own bench (libero_plus, libero_pro, ...) names itself."""
    sweep = rec.spec.perturbation and rec.spec.bench == rec.spec.suite
    return rec.spec.bench + (SWEEP if sweep else "")


def family_of(columns: Sequence[Column]) -> Callable[[str], str]:
    """Bench label -> the table it is reported in: a benchmark's declared `family` (LIBERO's suites are separate
    benches, one run each, but one table), else its own label."""
    families = {run.bench: fam for col in columns for run in col.runs if (fam := facts_of(run.manifest).family)}
    return lambda label: families.get(label, label)


def families(columns: Sequence[Column]) -> set[str]:
    family = family_of(columns)
    return {family(bench_label(r)) for c in columns for r in c.records}


def scoped(columns: Sequence[Column], fam: str | None) -> list[tuple[str, list[EpisodeRecord]]]:
    """(label, records) of the columns with episodes in this benchmark family (all columns when fam is None)."""
    family = family_of(columns)
    pairs = [(c.label, [r for r in c.records if fam is None or family(bench_label(r)) == fam]) for c in columns]
    return [(label, recs) for label, recs in pairs if recs or fam is None]


def load_run(path: str | Path) -> RunData:
    """A run as readers see it (no lock taken); each unreadable line is skipped with a warning naming it."""
    run = open_run(path)
    return RunData(**{f.name: getattr(run, f.name) for f in dataclasses.fields(run)})


def load_columns(paths: Sequence[str | Path], labels: Sequence[str] | None = None) -> list[Column]:
    """Runs of one policy (results/identity.py) share a column, or runs given one --label, which must then be one
    policy; later runs win on a shared key."""
    runs = [load_run(p) for p in paths]
    if labels and len(labels) != len(runs):
        raise ConfigError(f"--label was given {len(labels)} times for {len(runs)} run directories; give one per run")
    names = list(labels) if labels else unique_labels([run.identity for run in runs])
    columns: dict[str, Column] = {}
    for run, label in zip(runs, names):
        columns.setdefault(label, Column(label)).runs.append(run)
    for col in columns.values():
        check_same_policy(col.label, [(run.path, run.identity) for run in col.runs])
    return list(columns.values())


def protocol_fields(run: RunData) -> dict[str, Any]:
    """What the protocol hash covers: the benchmark protocol plus the config fields hashed with it."""
    return {"protocol": hashed_part(run.manifest.protocol), "config": hashed_config(run.config)}


def protocol_diff(a: RunData, b: RunData) -> list[str]:
    diffs = differences(protocol_fields(a), protocol_fields(b))
    return diffs or ["(no recorded field differs: the hashes come from different harness code)"]


SHOWN_DIFFS = 3  # differing fields a protocol-mismatch line names; the rest are counted
SHOWN_VALUE = 60  # characters of each value shown


def _short(diff: str) -> str:
    name, _, values = diff.partition(": ")
    a, _, b = values.partition(" vs ")
    cut = lambda v: v if len(v) <= SHOWN_VALUE else v[: SHOWN_VALUE - 1] + "…"  # noqa: E731
    return f"{name}: {cut(a)} vs {cut(b)}"


def protocol_conflicts(runs: Sequence[RunData], shown: int = SHOWN_DIFFS) -> list[str]:
    """One short line per pair of runs of the same benchmark whose protocol hashes differ."""
    first_by_bench: dict[str, RunData] = {}
    lines = []
    for run in runs:
        ref = first_by_bench.setdefault(run.protocol_group, run)
        if run.protocol_hash != ref.protocol_hash:
            diff = protocol_diff_line(ref, run, shown)
            lines.append(f"{run.protocol_group}: {ref.path} vs {run.path} differ in {diff}")
    return lines


def protocol_diff_line(a: RunData, b: RunData, shown: int = SHOWN_DIFFS) -> str:
    """The first `shown` differing protocol fields, values cut, and how many more: one short line."""
    diffs = protocol_diff(a, b)
    more = f" (and {len(diffs) - shown} more)" if len(diffs) > shown else ""
    return "; ".join(_short(d) for d in diffs[:shown]) + more


def named_protocol(manifest: RunManifest) -> dict[str, Any]:
    """The manifest's named paper protocol (benchmarks/libero/presets.py as recorded), {} when there is none."""
    paper = (manifest.protocol.get("extra") or {}).get("paper_protocol")
    return paper if isinstance(paper, dict) else {}


def protocol_line(manifest: RunManifest) -> str | None:
    """The line shown under every table: the named protocol's numbers, and a --max-steps override if any."""
    summary = named_protocol(manifest).get("summary")
    override = manifest.config.get("max_steps")
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
        more = f" (and {len(conflicts) - 1} more pairs)" if len(conflicts) > 1 else ""
        raise ProtocolMismatch(f"runs with different protocol hashes cannot share a table: {conflicts[0]}{more}; "
                               "report them separately, or pass --allow-protocol-mismatch")
    return [f"PROTOCOL MISMATCH (allowed): {c}" for c in conflicts]
