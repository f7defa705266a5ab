"""The drop from the unperturbed base task: each perturbed episode paired with the base episode of the same suite, base
task and init state, with a confidence interval.

Base episodes come from the benchmark's own unperturbed episodes when the column has any (LIBERO-PRO and LIBERO-Para
runs hold them; a native sweep's level 0), else from a clean LIBERO run in the same column (how LIBERO-Plus variants,
which start from their base task's init state, are paired). The interval is Newcombe's paired square-and-add interval
(1998, method 10) on the (base, perturbed) outcome pairs. Where one base episode is paired with several perturbed
episodes (every paraphrase of a LIBERO-Para task, every LIBERO-Plus variant of a task) the pairs are not independent,
so the interval is widened by the square root of the design effect (the variance of the mean difference with base
episodes as clusters over its variance with independent pairs); it is never narrowed.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import is_rerun_error, is_skipped
from vla_harness.results.robustness import is_baseline
from vla_harness.results.stats import Z95, PairedCounts, newcombe_paired
from vla_harness.results.tables import Estimate

PairKey = tuple[str, int, int]
OWN, LIBERO = "the same benchmark's unperturbed episodes", "a clean LIBERO run in the same column"
INTERVAL_NOTE = ("Drop: perturbed minus base success (points) over the paired episodes (same suite, base task and init "
                 "state), 95% Newcombe paired interval, widened by the design effect where base episodes are shared.")


def scored(rec: EpisodeRecord) -> bool:
    """Has an outcome a rate counts (policy faults are failures; env/infra errors and skips are not)."""
    return not is_skipped(rec) and not is_rerun_error(rec)


def success(rec: EpisodeRecord) -> bool:
    return rec.error is None and bool(rec.success)


def base_key(rec: EpisodeRecord) -> PairKey:
    s = rec.spec
    return (s.suite, s.task_id, s.init_state_index if s.init_state_index is not None else s.trial)


def clean_libero(rec: EpisodeRecord) -> bool:
    """An episode of a plain LIBERO suite run (bench = suite, no perturbation)."""
    return rec.spec.bench == rec.spec.suite and rec.spec.perturbation is None


def bases(records: Sequence[EpisodeRecord], bench: str) -> tuple[dict[PairKey, EpisodeRecord], str]:
    """The base episodes perturbed episodes of `bench` pair with, and where they come from ('' when none)."""
    own = {base_key(r): r for r in records if r.spec.bench == bench and is_baseline(r) and scored(r)}
    if own:
        return own, OWN
    libero = {base_key(r): r for r in records if clean_libero(r) and scored(r)}
    return libero, (LIBERO if libero else "")


def pairs(perturbed: Iterable[EpisodeRecord], base: dict[PairKey, EpisodeRecord]) -> list[tuple[bool, bool, PairKey]]:
    """(base success, perturbed success, base key) of every scored perturbed episode that has a base."""
    out = []
    for r in perturbed:
        key = base_key(r)
        if scored(r) and key in base:
            out.append((success(base[key]), success(r), key))
    return out


def design_effect(pairs_: Sequence[tuple[bool, bool, PairKey]]) -> float:
    """Clustered (by base episode) over independent-pairs variance of the mean difference; at least 1."""
    diffs = [int(p) - int(b) for b, p, _ in pairs_]
    mean = sum(diffs) / len(diffs)
    naive = sum((d - mean) ** 2 for d in diffs)
    clusters: dict[PairKey, list[int]] = {}
    for d, (_, _, key) in zip(diffs, pairs_):
        clusters.setdefault(key, []).append(d)
    clustered = sum((sum(ds) - mean * len(ds)) ** 2 for ds in clusters.values())
    return max(1.0, clustered / naive) if naive > 0 else 1.0


def drop(pairs_: Sequence[tuple[bool, bool, PairKey]], z: float = Z95) -> Estimate:
    if not pairs_:
        return Estimate(math.nan, 0, how="no paired base")
    both = sum(1 for b, p, _ in pairs_ if b and p)
    only_base = sum(1 for b, p, _ in pairs_ if b and not p)
    only_perturbed = sum(1 for b, p, _ in pairs_ if p and not b)
    t = PairedCounts(both, only_base, only_perturbed, len(pairs_) - both - only_base - only_perturbed)
    lo, hi = newcombe_paired(t, z)
    d, widen = t.p2 - t.p1, math.sqrt(design_effect(pairs_))
    return Estimate(d, t.n, max(-1.0, d + (lo - d) * widen), min(1.0, d + (hi - d) * widen))


def weighted_rate(records: Iterable[EpisodeRecord], param: str) -> Estimate:
    """Success weighted by a perturbation param (LIBERO-Para's PRIDE: by paraphrase distance), over scored
    episodes that carry it."""
    num = den = 0.0
    n = 0
    for r in records:
        p = r.spec.perturbation
        if p is None or param not in p.params or not scored(r):
            continue
        w = float(p.params[param])
        num, den, n = num + w * success(r), den + w, n + 1
    return Estimate(num / den if den else math.nan, n, how=f"weighted by {param}")
