"""The closed-loop vision check: does a policy's success depend on what its camera shows?

Inputs: a normal run and runs of the same policy on the same episodes under the vision probes of
harness/vision_probe.py (`first_frame`, `other_episode`). Paired by episode key; the check passes when the policy
keeps at most `max_kept` (default half) of its normal successes under EACH probe, i.e. loses at least half of them
when its images stop matching the scene. A blind policy keeps them all. No successes to lose is no pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from tabulate import tabulate

from vla_harness.harness.errors import UserError
from vla_harness.harness.manifest import differences
from vla_harness.results.compare import CompareRefused, check_complete, outcomes, paired_scope
from vla_harness.results.load import RunData, protocol_fields
from vla_harness.results.tables import pct

PROBES = ("first_frame", "other_episode")


@dataclass(frozen=True)
class ProbeResult:
    probe: str
    run: str
    pairs: int
    normal_successes: int
    probe_successes: int
    ci: tuple[float, float]  # Newcombe paired interval for probe rate - normal rate
    p_value: float  # exact McNemar
    max_kept: float

    @property
    def kept(self) -> float:
        return self.probe_successes / self.normal_successes if self.normal_successes else math.nan

    @property
    def passed(self) -> bool:
        return self.normal_successes > 0 and self.probe_successes <= self.max_kept * self.normal_successes


@dataclass
class VisionCheck:
    normal: str
    results: list[ProbeResult]
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [p for p in PROBES if p not in {r.probe for r in self.results}]

    @property
    def passed(self) -> bool:
        return not self.missing and all(r.passed for r in self.results)


def probe_of(run: RunData) -> str:
    return str(run.config.get("vision_probe") or "none")


def _same_setup(normal: RunData, probed: RunData) -> None:
    """The same policy (options included) under the same protocol; only the probe may differ."""
    fields = [protocol_fields(r) for r in (normal, probed)]
    fields[1]["config"].pop("vision_probe", None)
    diffs = differences(*fields)
    for name in ("policy", "policy_options", "seed"):
        if normal.config.get(name) != probed.config.get(name):
            diffs.append(f"{name}: {normal.config.get(name)!r} vs {probed.config.get(name)!r}")
    if diffs:
        raise CompareRefused(f"{probed.path} is not the same policy on the same protocol as {normal.path}: "
                             + "; ".join(diffs[:3]))


def vision_check(normal: RunData, probed: Sequence[RunData], max_kept: float = 0.5, alpha: float = 0.05,
                 allow_missing: bool = False) -> VisionCheck:
    if probe_of(normal) != "none":
        raise UserError(f"{normal.path} was run with --vision-probe {probe_of(normal)}; the first run must be normal")
    check = VisionCheck(str(normal.path), [])
    base = outcomes(normal.records)
    for run in probed:
        probe = probe_of(run)
        if probe not in PROBES:
            raise UserError(f"{run.path} has no vision probe (got '{probe}'); allowed: {', '.join(PROBES)}")
        if probe in {r.probe for r in check.results}:
            raise UserError(f"two runs with vision probe {probe}: give one per probe")
        _same_setup(normal, run)
        check.notes += check_complete(normal.records, run.records, allow_missing)
        cand = outcomes(run.records)
        shared = sorted(set(base) & set(cand))
        scope = paired_scope(probe, [(base[k], cand[k]) for k in shared], alpha)
        t = scope.pairs
        check.results.append(ProbeResult(probe, str(run.path), t.n, t.both + t.only1, t.both + t.only2, scope.ci,
                                         scope.p_value, max_kept))
    return check


def render(check: VisionCheck) -> str:
    heads = ["probe", "pairs", "normal successes", "probe successes", "kept", "diff (pts) [95% CI]",
             "p (exact McNemar)", "lose >= half"]
    rows = []
    for r in check.results:
        diff = (r.probe_successes - r.normal_successes) / r.pairs if r.pairs else math.nan
        ci = f"{100 * diff:+.1f} [{100 * r.ci[0]:+.1f}, {100 * r.ci[1]:+.1f}]"
        rows.append([r.probe, r.pairs, r.normal_successes, r.probe_successes, pct(r.kept) + "%", ci,
                     f"{r.p_value:.4g}", "PASS" if r.passed else "FAIL"])
    table = tabulate(rows, headers=heads, tablefmt="github", disable_numparse=True)
    return "\n".join([f"normal: {check.normal}", *check.notes, "", table, "", verdict(check)])


def verdict(check: VisionCheck) -> str:
    if check.missing:
        return f"INCOMPLETE: no run with probe {', '.join(check.missing)}; the check needs both -> exit 3"
    if check.passed:
        return "PASS: the policy loses at least half of its successes under every probe (it needs its camera)"
    why = [f"{r.probe} kept {r.probe_successes} of {r.normal_successes}" for r in check.results if not r.passed]
    return "FAIL: " + "; ".join(why) + " (a policy that needs its camera loses at least half) -> exit 1"
