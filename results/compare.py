"""Regression check of a candidate run against a baseline run: paired where episode keys match, unpaired otherwise.

Decision: a regression is a candidate success rate lower than the baseline's by more than the tolerance (point
estimate) AND significantly different at alpha: exact McNemar on the discordant pairs (paired), or a Newcombe
interval for the difference that excludes 0 (unpaired). Anything else passes. The policy's own faults (policy_error,
nan_action, bad_action_shape) are failures, so crashing never passes; a candidate missing baseline keys or holding
env/infra errors not resumed is refused (CompareRefused, exit 3) unless --allow-missing, so running less never passes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from tabulate import tabulate

from vla_harness.harness.errors import UserError
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import count, is_outcome, is_rerun_error, is_skipped, latest_by_key, natural_key
from vla_harness.results.stats import PairedCounts, mcnemar_exact, newcombe_paired, newcombe_unpaired, z_of
from vla_harness.results.tables import pct


class NoEpisodes(UserError, RuntimeError):
    """Nothing to compare: a run has no finished episode."""


class CompareRefused(UserError):
    """The runs cannot be compared as they are (missing keys, errors left, other protocol): no verdict, exit 3."""

    exit_code = 3


def outcomes(records: Sequence[EpisodeRecord]) -> dict[str, EpisodeRecord]:
    """The compared outcome per key: finished, or failed by the policy's own fault; skips and env/infra errors are
    not outcomes."""
    return {k: r for k, r in latest_by_key(records).items() if is_outcome(r) and not is_skipped(r)}


def check_complete(baseline: Sequence[EpisodeRecord], candidate: Sequence[EpisodeRecord],
                   allow_missing: bool = False) -> list[str]:
    """Refuse a candidate that ran less than the baseline or has env/infra errors left (or, with allow_missing,
    say how much is left out)."""
    base, cand = outcomes(baseline), latest_by_key(candidate)
    missing = sorted(set(base) - set(cand), key=natural_key)
    left = sorted((k for k in set(base) & set(cand) if is_rerun_error(cand[k])), key=natural_key)
    kinds = Counter(cand[k].error.kind for k in left)
    problems = []
    if missing:
        problems.append(f"{len(missing)} of the baseline's {len(base)} episode keys have no record in the candidate "
                        f"(first: {missing[0]})")
    if left:
        problems.append(f"{len(left)} keys ended in errors not resumed (" + ", ".join(
            f"{k} {n}" for k, n in sorted(kinds.items())) + "): `vla-harness resume CANDIDATE` re-runs them")
    if problems and not allow_missing:
        raise CompareRefused("candidate is incomplete, no verdict: " + "; ".join(problems)
                             + " (pass --allow-missing to compare the shared keys only)")
    return [f"INCOMPLETE (--allow-missing): only shared keys are compared; {p}." for p in problems]


@dataclass(frozen=True)
class Scope:
    """One comparison row: the whole run or one suite."""

    name: str
    n1: int  # baseline episodes used
    n2: int  # candidate episodes used
    p1: float
    p2: float
    ci: tuple[float, float]  # for p2 - p1
    p_value: float | None  # exact McNemar (paired only)
    pairs: PairedCounts | None = None

    @property
    def diff(self) -> float:
        return self.p2 - self.p1


@dataclass
class Comparison:
    paired: bool
    overall: Scope
    rows: list[Scope]
    tolerance: float
    alpha: float
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> bool:
        if self.paired:
            return self.overall.p_value is not None and self.overall.p_value < self.alpha
        return self.overall.ci[1] < 0 or self.overall.ci[0] > 0

    @property
    def regression(self) -> bool:
        return self.overall.diff < -self.tolerance and self.significant


def paired_scope(name: str, pairs: list[tuple[EpisodeRecord, EpisodeRecord]], z: float) -> Scope:
    both = sum(1 for b, c in pairs if b.success and c.success)
    only1 = sum(1 for b, c in pairs if b.success and not c.success)
    only2 = sum(1 for b, c in pairs if not b.success and c.success)
    t = PairedCounts(both, only1, only2, len(pairs) - both - only1 - only2)
    return Scope(name, t.n, t.n, t.p1, t.p2, newcombe_paired(t, z), mcnemar_exact(only1, only2), t)


def unpaired_scope(name: str, base: list[EpisodeRecord], cand: list[EpisodeRecord], z: float) -> Scope:
    c1, c2 = count(base), count(cand)
    return Scope(name, c1.n, c2.n, c1.rate, c2.rate, newcombe_unpaired(c1.successes, c1.n, c2.successes, c2.n, z), None)


def _groups(rec: EpisodeRecord) -> list[str]:
    """The breakdown rows an episode belongs to: its suite, and its perturbation dimension if any."""
    out = [f"{rec.spec.bench}/{rec.spec.suite}"]
    if rec.spec.perturbation:
        out.append(f"dimension {rec.spec.perturbation.dimension}")
    return out


def _buckets(items, record_of) -> dict[str, list]:
    """Items per breakdown row, in row order (suites, then dimensions); none when there is only one row."""
    out: dict[str, list] = {}
    for item in items:
        for g in _groups(record_of(item)):
            out.setdefault(g, []).append(item)
    names = sorted(out, key=lambda g: (g.startswith("dimension "), natural_key(g)))
    return {g: out[g] for g in names} if len(names) > 1 else {}  # one row only: the "all" row says it


def compare(baseline: Sequence[EpisodeRecord], candidate: Sequence[EpisodeRecord], tolerance: float = 0.02,
            alpha: float = 0.05) -> Comparison:
    base, cand = outcomes(baseline), outcomes(candidate)
    if not base or not cand:
        which = "baseline" if not base else "candidate"
        raise NoEpisodes(f"no episodes to compare: the {which} run has no episode with an outcome (finished, or "
                         "failed by a policy fault)")
    z = z_of(alpha)
    shared = sorted(set(base) & set(cand))
    if shared:
        pairs = [(base[k], cand[k]) for k in shared]
        rows = [paired_scope(g, ps, z) for g, ps in _buckets(pairs, lambda bc: bc[0]).items()]
        notes = _pairing_notes(baseline, candidate, base, cand, len(shared))
        return Comparison(True, paired_scope("all", pairs, z), rows, tolerance, alpha, notes)
    b_recs, c_recs = list(base.values()), list(cand.values())
    sides = _buckets([(0, r) for r in b_recs] + [(1, r) for r in c_recs], lambda sr: sr[1])
    rows = [unpaired_scope(g, [r for s, r in items if s == 0], [r for s, r in items if s == 1], z)
            for g, items in sides.items()]
    notes = ["UNPAIRED: the runs share no episode key, so this is a two-proportion comparison (Newcombe hybrid score "
             "interval) with no paired test; evaluate both on the same episode list for a paired check."]
    return Comparison(False, unpaired_scope("all", b_recs, c_recs, z), rows, tolerance, alpha, notes)


def _pairing_notes(baseline, candidate, base: dict, cand: dict, n_shared: int) -> list[str]:
    faults = sum(1 for side in (base, cand) for k, r in side.items() if r.error is not None)
    notes = [f"PAIRED on {n_shared} episode keys with an outcome in both runs (policy faults count as failures: "
             f"{faults} in these runs)."]
    only_b, only_c = len(set(base) - set(cand)), len(set(cand) - set(base))
    if only_b or only_c:
        notes.append(f"left out: {only_b} keys with an outcome only in the baseline, {only_c} only in the candidate.")
    in_both = {r.key for r in baseline} & {r.key for r in candidate}
    if len(in_both) > n_shared:
        notes.append(f"left out: {len(in_both) - n_shared} keys in both runs skipped or with an env/infra error on "
                     "either side (not failures).")
    return notes


def _pts(x: float) -> str:
    """A signed difference in percentage points."""
    return "-" if math.isnan(x) else f"{100 * x:+.1f}"


def _row(s: Scope) -> list[str]:
    lo, hi = s.ci
    n = str(s.n1) if s.pairs else f"{s.n1} / {s.n2}"
    disc = f"{s.pairs.only1} / {s.pairs.only2}" if s.pairs else "-"
    p = "-" if s.p_value is None else f"{s.p_value:.4g}"
    ci = "-" if math.isnan(lo) else f"[{_pts(lo)}, {_pts(hi)}]"
    return [s.name, n, pct(s.p1), pct(s.p2), _pts(s.diff), ci, disc, p]


def render(comp: Comparison, baseline: str = "baseline", candidate: str = "candidate") -> str:
    level = f"{100 * (1 - comp.alpha):g}%"
    heads = ["scope", "pairs" if comp.paired else "n base / cand", "baseline %", "candidate %", "diff (pts)",
             f"{level} CI (Newcombe)", "base-only / cand-only wins", "p (exact McNemar)"]
    rows = [_row(comp.overall), *map(_row, comp.rows)]
    table = tabulate(rows, headers=heads, tablefmt="github", disable_numparse=True)
    return "\n".join([f"baseline:  {baseline}", f"candidate: {candidate}", *comp.notes, "", table, "", verdict(comp)])


def verdict(comp: Comparison) -> str:
    o = comp.overall
    drop = f"{-100 * o.diff:.1f} points" if o.diff < 0 else "no drop"
    test = (f"exact McNemar p = {o.p_value:.4g}" if comp.paired else
            f"Newcombe {100 * (1 - comp.alpha):g}% interval [{100 * o.ci[0]:+.1f}, {100 * o.ci[1]:+.1f}]")
    rule = f"tolerance {100 * comp.tolerance:.1f} points, alpha {comp.alpha:g}"
    if comp.regression:
        return f"REGRESSION: candidate is worse by {drop} ({test}; {rule}) -> exit 1"
    why = "the drop is within the tolerance" if o.diff >= -comp.tolerance else "the drop is not significant"
    if o.diff >= 0:
        why = "the candidate is not worse"
    return f"OK: {why} ({drop}; {test}; {rule}) -> exit 0"
