"""Drop from level 0 per dimension, per policy, and the difference of two policies' drops, paired by base episode.

For a native sweep every base episode (suite, task, trial) runs unperturbed (level 0) and at each perturbed level, with
the same seed. A policy's drop on base episode b in dimension d is s0(b) - mean over levels of s_d,level(b); its drop is
the mean over base episodes. The difference of drops (second policy minus first) is the mean of the per-episode
differences, with a normal-approximation 95% interval over base episodes (the episodes are the sampling unit: levels
of one base episode are not independent). Only base episodes with every needed outcome in both runs count; policy
faults are failures, env/infra errors and skips are left out (as in `compare`). Each row also says the smallest
difference of drops the run could see: (z_0.975 + z_0.8) x its standard error, 80% power at alpha 0.05, two-sided.
The last row pools every swept dimension and level per base episode.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from statistics import NormalDist, mean, stdev
from typing import Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.compare import outcomes
from vla_harness.results.drop import PairKey, base_key
from vla_harness.results.robustness import BASELINE_DIMENSION, is_baseline, swept
from vla_harness.results.stats import Z95
from vla_harness.results.tables import Row, Table

Z80 = NormalDist().inv_cdf(0.80)  # one-sided normal quantile for 80% power
ALL_DIMENSIONS = "all swept"


@dataclass(frozen=True)
class Drop:
    n: int  # base episodes
    first: tuple[float, float, float]  # level-0 rate, perturbed rate, drop (first policy)
    second: tuple[float, float, float]
    diff: float  # drop(second) - drop(first)
    ci: tuple[float, float]
    detectable: float  # the difference of drops this many base episodes see with 80% power


def _by_base(records: Sequence[EpisodeRecord]) -> dict[PairKey, dict[tuple[str, int], bool]]:
    out: dict[PairKey, dict[tuple[str, int], bool]] = defaultdict(dict)
    for rec in outcomes(swept(records)).values():
        p = rec.spec.perturbation
        dim = BASELINE_DIMENSION if is_baseline(rec) else p.dimension
        out[base_key(rec)][(dim, 0 if is_baseline(rec) else p.level)] = bool(rec.success)
    return out


def _episode_drop(cells: dict[tuple[str, int], bool], needed: Sequence[tuple[str, int]]) -> tuple[float, float] | None:
    """(level-0 success, mean perturbed success) of one base episode, or None when an outcome is missing."""
    if (BASELINE_DIMENSION, 0) not in cells or any(cell not in cells for cell in needed):
        return None
    return float(cells[(BASELINE_DIMENSION, 0)]), mean(float(cells[cell]) for cell in needed)


def _needed(a: dict, b: dict, dim: str) -> list[tuple[str, int]]:
    """The perturbed (dimension, level) cells a base episode needs for `dim` (every one for ALL_DIMENSIONS)."""
    seen = {cell for cells in (*a.values(), *b.values()) for cell in cells if cell[0] != BASELINE_DIMENSION}
    return sorted(cell for cell in seen if dim in (ALL_DIMENSIONS, cell[0]))


def drop(first: Sequence[EpisodeRecord], second: Sequence[EpisodeRecord], dim: str) -> Drop | None:
    a, b = _by_base(first), _by_base(second)
    needed = _needed(a, b, dim)
    pairs = []
    for base in sorted(set(a) & set(b)):
        x, y = _episode_drop(a[base], needed), _episode_drop(b[base], needed)
        if x is not None and y is not None:
            pairs.append((x, y))
    if not needed or len(pairs) < 2:
        return None
    diffs = [(y[0] - y[1]) - (x[0] - x[1]) for x, y in pairs]
    se = stdev(diffs) / math.sqrt(len(diffs))
    arm = [tuple(mean(p[i][k] for p in pairs) for k in (0, 1)) for i in (0, 1)]
    return Drop(len(pairs), (*arm[0], arm[0][0] - arm[0][1]), (*arm[1], arm[1][0] - arm[1][1]), mean(diffs),
                (mean(diffs) - Z95 * se, mean(diffs) + Z95 * se), (Z95 + Z80) * se)


def _pts(x: float) -> str:
    return f"{100 * x + 0.0:+.1f}"  # + 0.0: no "-0.0"


def drop_table(bench: str, labels: tuple[str, str], first: Sequence[EpisodeRecord],
               second: Sequence[EpisodeRecord], dims: Sequence[str]) -> Table:
    rows = []
    for dim in [*dims, ALL_DIMENSIONS] if len(dims) > 1 else dims:
        d = drop(first, second, dim)
        if d is None:
            continue
        arms = [f"{100 * r0:.1f} -> {100 * rp:.1f} ({_pts(-dr)})" for r0, rp, dr in (d.first, d.second)]
        rows.append(Row([dim], [str(d.n), *arms, f"{_pts(d.diff)} [{_pts(d.ci[0])}, {_pts(d.ci[1])}]",
                                f"{100 * d.detectable:.1f}"]))
    notes = ["Per base episode (suite, task, trial): level-0 success minus its mean success over the perturbed "
             "levels; rates in %, the change in points in brackets. Difference = drop of the second minus drop of the "
             "first (negative: the second loses less); 95% normal interval over base episodes. Detectable: the "
             "difference of drops these base episodes would show with 80% power at alpha 0.05 (2.80 standard errors); "
             f"'{ALL_DIMENSIONS}' pools every dimension and level of a base episode."]
    return Table(f"robustness_{bench}_drops", f"Robustness ({bench}): drop from level 0, {labels[1]} vs {labels[0]}",
                 ["dimension"], ["base episodes", f"{labels[0]}: level 0 -> perturbed",
                                 f"{labels[1]}: level 0 -> perturbed", "difference of drops (pts) [95% CI]",
                                 "detectable (pts)"],
                 rows, notes, wide=False)


def drop_difference_tables(columns: Sequence) -> list[Table]:
    """For every bench with a native sweep in two or more columns: each later column's drops against the first's."""
    from vla_harness.results.facts import facts_for
    from vla_harness.results.robustness import robustness_benches

    tables = []
    for bench in robustness_benches(columns):
        native = [(c.label, [r for r in swept(c.records) if r.spec.bench == bench and _native(r)]) for c in columns]
        native = [(label, recs) for label, recs in native if recs]
        if len(native) < 2:
            continue
        dims = facts_for(columns, bench).order({r.spec.perturbation.dimension for _, rs in native for r in rs
                                                if not is_baseline(r)})
        tables += [drop_table(bench, (native[0][0], label), native[0][1], recs, dims) for label, recs in native[1:]]
    return tables


def _native(rec: EpisodeRecord) -> bool:
    p = rec.spec.perturbation
    return p.variant_id is None and p.difficulty is None and p.level is not None
