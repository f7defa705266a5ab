"""May a published row stand beside a measured one? Only under the same protocol, field by field.

A published row names the paper protocol its numbers were run under (`protocol` in results/published.csv); the
benchmark states what each named protocol fixes (`report.paper_protocols` in every LIBERO / LIBERO-Plus manifest,
benchmarks/libero/presets.py); a measured column's values come from its own records (the max steps its episodes
really ran, an override included) and its manifest (settle steps).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from vla_harness.harness.manifest import RunManifest
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.facts import BenchFacts

NOT_STATED = "not stated"


def measured_fields(records: Sequence[EpisodeRecord], manifest: RunManifest) -> dict[str, str]:
    """Max steps per suite as the episodes ran (several values joined) and the run's settle steps."""
    steps: dict[str, set[int]] = {}
    for rec in records:
        steps.setdefault(rec.spec.suite, set()).add(rec.spec.max_steps)
    fields = {f"max steps {suite}": "/".join(str(v) for v in sorted(vals)) for suite, vals in sorted(steps.items())}
    settle = manifest.protocol.get("settle_steps")
    if settle is not None:
        fields["settle steps"] = str(settle)
    return fields


def published_fields(facts: BenchFacts, name: str, suites: Sequence[str], plus: bool) -> dict[str, str] | None:
    """What the named protocol fixes for these suites; None when the benchmark does not know the name."""
    preset = facts.paper_protocols.get(name)
    if preset is None:
        return None
    per_suite = preset.get("max_steps") or {}
    fields = {}
    for suite in suites:
        value = (preset.get("plus_max_steps") if plus else None) or per_suite.get(suite)
        fields[f"max steps {suite}"] = "?" if value is None else str(value)
    fields["settle steps"] = str(preset.get("settle_steps"))
    return fields


def differing(published: Mapping[str, str], measured: Mapping[str, str]) -> list[str]:
    """`field published vs measured` for each field both name and disagree on."""
    return [f"{k} {published[k]} vs {measured[k]}" for k in measured if k in published and published[k] != measured[k]]


def verdict(facts: BenchFacts, protocol: str, measured: Sequence[tuple[str, str, dict[str, str]]],
            plus: bool) -> tuple[str, list[str]]:
    """The kind a published row shows ('published' or why not comparable) and one note per measured column (label,
    its named protocol, its fields) it differs from. A benchmark without named protocols (SimplerEnv) has nothing to
    compare; a run whose manifest predates the presets' facts is compared by protocol name."""
    named = [m for m in measured if m[1] != "-"]
    if not facts.paper_protocols:
        notes = [f"not comparable with {label}: protocol {protocol} vs {name}" for label, name, _ in named
                 if protocol and name != protocol]
        return ("published, NOT comparable" if notes else "published"), notes
    if protocol not in facts.paper_protocols:
        return f"published, protocol {NOT_STATED}", []
    notes = []
    for label, _, fields in measured:
        suites = [k.removeprefix("max steps ") for k in fields if k.startswith("max steps ")]
        diffs = differing(published_fields(facts, protocol, suites, plus) or {}, fields)
        if diffs:
            notes.append(f"not comparable with {label}: " + "; ".join(diffs))
    return ("published, NOT comparable" if notes else "published"), notes
