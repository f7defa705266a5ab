"""Regression check of a candidate run against a baseline run: paired where episode keys match, unpaired otherwise.

Decision: a regression is a candidate success rate lower than the baseline's by more than the tolerance (point
estimate) AND significantly different at alpha, by both tests: exact McNemar on the discordant pairs (exact in small
samples) and the cluster-robust paired t-test by task (episodes of one task are correlated; results/power.py), or, for
unpaired runs, a Newcombe interval and the clustered interval that both exclude 0. A sample too small to detect the
drop it must detect (`detect`, at `power`; results/gate.py) is "cannot judge" (exit 3), never OK. The policy's own
faults (policy_error, nan_action, bad_action_shape) are failures, so crashing never passes; a candidate missing
baseline keys or holding env/infra errors not resumed is refused (CompareRefused, exit 3) unless --allow-missing, so
running less never passes.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from vla_harness.harness.errors import UserError
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import count, is_outcome, is_rerun_error, is_skipped, latest_by_key, natural_key
from vla_harness.results.compare_render import render, verdict
from vla_harness.results.comparison import Comparison, Scope
from vla_harness.results.gate import DEFAULT_DETECT, DEFAULT_POWER, gate_for, task_of
from vla_harness.results.power import clustered_paired, clustered_unpaired
from vla_harness.results.stats import PairedCounts, mcnemar_exact, newcombe_paired, newcombe_unpaired, z_of

__all__ = ["CompareRefused", "Comparison", "NoEpisodes", "Scope", "check_complete", "compare", "outcomes", "render",
           "verdict"]


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


def paired_scope(name: str, pairs: list[tuple[EpisodeRecord, EpisodeRecord]], alpha: float) -> Scope:
    both = sum(1 for b, c in pairs if b.success and c.success)
    only1 = sum(1 for b, c in pairs if b.success and not c.success)
    only2 = sum(1 for b, c in pairs if not b.success and c.success)
    t = PairedCounts(both, only1, only2, len(pairs) - both - only1 - only2)
    diffs: dict[str, list[int]] = {}
    for b, c in pairs:
        diffs.setdefault(task_of(b), []).append(int(bool(c.success)) - int(bool(b.success)))
    return Scope(name, t.n, t.n, t.p1, t.p2, newcombe_paired(t, z_of(alpha)), mcnemar_exact(only1, only2), t,
                 clustered_paired(diffs, alpha))


def broken_tasks(pairs: list[tuple[EpisodeRecord, EpisodeRecord]], tolerance: float, alpha: float) -> list[Scope]:
    """Tasks whose own drop is beyond the tolerance and significant by exact McNemar at alpha / tasks (Bonferroni):
    a candidate that breaks one task of ten moves the clustered mean test little, but it is a regression."""
    by_task: dict[str, list] = {}
    for b, c in pairs:
        by_task.setdefault(task_of(b), []).append((b, c))
    if len(by_task) < 2:
        return []  # one task: the overall test is that task's test
    scopes = [paired_scope(task, ps, alpha) for task, ps in sorted(by_task.items(), key=lambda kv: natural_key(kv[0]))]
    return [s for s in scopes if s.diff < -tolerance and s.p_value is not None and s.p_value < alpha / len(by_task)]


def _by_task(records: list[EpisodeRecord]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in records:
        out.setdefault(task_of(r), []).append(int(bool(r.success)))
    return out


def unpaired_scope(name: str, base: list[EpisodeRecord], cand: list[EpisodeRecord], alpha: float) -> Scope:
    c1, c2 = count(base), count(cand)
    ci = newcombe_unpaired(c1.successes, c1.n, c2.successes, c2.n, z_of(alpha))
    return Scope(name, c1.n, c2.n, c1.rate, c2.rate, ci, None,
                 clustered=clustered_unpaired(_by_task(base), _by_task(cand), alpha))


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
            alpha: float = 0.05, detect: float = DEFAULT_DETECT, power: float = DEFAULT_POWER,
            allow_underpowered: bool = False) -> Comparison:
    base, cand = outcomes(baseline), outcomes(candidate)
    if not base or not cand:
        which = "baseline" if not base else "candidate"
        raise NoEpisodes(f"no episodes to compare: the {which} run has no episode with an outcome (finished, or "
                         "failed by a policy fault)")
    z_of(alpha)  # a bad alpha is refused before anything else
    shared = sorted(set(base) & set(cand))
    if shared:
        pairs = [(base[k], cand[k]) for k in shared]
        rows = [paired_scope(g, ps, alpha) for g, ps in _buckets(pairs, lambda bc: bc[0]).items()]
        notes = _pairing_notes(baseline, candidate, base, cand, len(shared))
        gate = gate_for([b for b, _ in pairs], detect, power, alpha, tolerance)
        return Comparison(True, paired_scope("all", pairs, alpha), rows, tolerance, alpha, notes, gate,
                          allow_underpowered, broken_tasks(pairs, tolerance, alpha))
    b_recs, c_recs = list(base.values()), list(cand.values())
    sides = _buckets([(0, r) for r in b_recs] + [(1, r) for r in c_recs], lambda sr: sr[1])
    rows = [unpaired_scope(g, [r for s, r in items if s == 0], [r for s, r in items if s == 1], alpha)
            for g, items in sides.items()]
    notes = ["UNPAIRED: the runs share no episode key, so this is a two-proportion comparison (Newcombe hybrid score "
             "interval, and the clustered interval) with no paired test; evaluate both on the same episode list for a "
             "paired check."]
    gate = gate_for(b_recs, detect, power, alpha, tolerance)
    return Comparison(False, unpaired_scope("all", b_recs, c_recs, alpha), rows, tolerance, alpha, notes, gate,
                      allow_underpowered)


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
