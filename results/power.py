"""Episodes of one task are correlated: the clustered paired test `compare` uses, and its power (what `plan` sizes).

Test. d_i = candidate - baseline outcome of paired episode i (0/1 each), clustered by task (bench/suite/task id).
The mean difference D gets a cluster-robust standard error (CR1: sqrt(G/(G-1) * sum_g (sum_{i in g} (d_i - D))^2) / N,
with G tasks and N pairs; with the same episodes in every task it equals a paired t-test on the per-task mean
differences), and D / SE is read against Student's t with G - 1 degrees of freedom. The interval is
D +- t(1 - alpha/2, G - 1) * SE. It treats the tasks as a sample of the tasks you care about; intervals that treat
every episode as an independent draw are too narrow when tasks differ (Miller 2024, "Adding Error Bars to Evals").

Power. `compare` calls a drop a regression when it exceeds the tolerance T and is significant. For a design of G
tasks with n_g pairs each and baseline rates p_g, a true drop delta in every task (a task cannot fall below 0%), and
candidate outcomes independent of the baseline's given the task (pairing gains are not assumed), the mean
difference has SE(delta) = sqrt(sum_g n_g (p_g(1-p_g) + q_g(1-q_g))) / N with q_g = max(p_g - delta, 0), and
P(regression) ~= F_t(delta / SE - max(T / SE, t(1 - alpha/2, G - 1)); G - 1). The minimum detectable drop is the
smallest delta whose power reaches the target; `plan` finds the fewest episodes per task that detect a given drop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from vla_harness.results.student_t import t_cdf, t_quantile

NAN_CI = (math.nan, math.nan)
MAX_PER_TASK = 10_000_000


@dataclass(frozen=True)
class Clustered:
    """The mean difference with its cluster-robust (CR1) standard error, interval and two-sided t test."""

    diff: float
    se: float
    clusters: int
    ci: tuple[float, float]
    p_value: float | None  # None with fewer than 2 clusters: no clustered test then

    @property
    def df(self) -> int:
        return self.clusters - 1


def cr1_se(values_by_cluster: Mapping[str, Sequence[float]]) -> tuple[float, float, int]:
    """(mean, CR1 standard error of the mean, clusters) of values grouped by cluster; se is nan with one cluster."""
    groups = [list(v) for v in values_by_cluster.values() if len(v)]
    n, g = sum(len(v) for v in groups), len(groups)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(sum(v) for v in groups) / n
    if g < 2:
        return mean, math.nan, g
    scores = sum(sum(x - mean for x in v) ** 2 for v in groups)
    return mean, math.sqrt(g / (g - 1) * scores) / n, g


def clustered_test(mean: float, se: float, clusters: int, alpha: float) -> Clustered:
    """CI and two-sided p for a mean with a CR1 SE, read against t with clusters - 1 degrees of freedom."""
    if clusters < 2 or math.isnan(se):
        return Clustered(mean, se, clusters, NAN_CI, None)
    if se == 0.0:  # every task moved by exactly the same amount
        return Clustered(mean, se, clusters, (mean, mean), 1.0 if mean == 0 else 0.0)
    df = clusters - 1
    half = t_quantile(1 - alpha / 2, df) * se
    p = 2 * (1 - t_cdf(abs(mean) / se, df))
    return Clustered(mean, se, clusters, (mean - half, mean + half), p)


def clustered_paired(diffs_by_cluster: Mapping[str, Sequence[int]], alpha: float) -> Clustered:
    return clustered_test(*cr1_se(diffs_by_cluster), alpha)


def clustered_unpaired(base: Mapping[str, Sequence[int]], cand: Mapping[str, Sequence[int]],
                       alpha: float) -> Clustered:
    """Difference of two independent runs' rates, each with its CR1 SE; df from the side with fewer tasks."""
    m1, se1, g1 = cr1_se(base)
    m2, se2, g2 = cr1_se(cand)
    return clustered_test(m2 - m1, math.hypot(se1, se2), min(g1, g2), alpha)


@dataclass(frozen=True)
class Design:
    """What a comparison has to work with: per task, the baseline's success rate and the number of pairs."""

    rates: tuple[float, ...]
    counts: tuple[int, ...]

    @property
    def tasks(self) -> int:
        return len(self.rates)

    @property
    def episodes(self) -> int:
        return sum(self.counts)

    @property
    def mean_rate(self) -> float:
        return sum(p * n for p, n in zip(self.rates, self.counts)) / self.episodes

    def scaled(self, per_task: int) -> "Design":
        return Design(self.rates, (per_task,) * self.tasks)

    def se(self, drop: float) -> float:
        variance = sum(n * (p * (1 - p) + q * (1 - q)) for p, n in zip(self.rates, self.counts)
                       for q in (max(p - drop, 0.0),))
        return math.sqrt(variance) / self.episodes


def min_pairs(alpha: float) -> int:
    """The fewest pairs with which exact McNemar can reach alpha at all (every pair lost): 6 at alpha 0.05."""
    return math.ceil(math.log2(2 / alpha) + 1e-12)


def power(design: Design, drop: float, alpha: float, tolerance: float) -> float:
    """P(`compare` says REGRESSION) when every task truly loses `drop` (normal/t approximation; zero below the
    pairs exact McNemar needs)."""
    if design.episodes < min_pairs(alpha):
        return 0.0
    df = design.tasks - 1 if design.tasks >= 2 else math.inf
    se = design.se(drop)
    if se == 0.0:
        return 1.0 if drop > tolerance else 0.0
    bar = max(tolerance / se, t_quantile(1 - alpha / 2, df))
    return t_cdf(drop / se - bar, df)


def min_detectable_drop(design: Design, alpha: float, target: float, tolerance: float) -> float | None:
    """The smallest drop (in every task) detected with probability `target`; None if not even losing every success
    would be."""
    top = max(design.rates, default=0.0)
    if top <= 0 or power(design, top, alpha, tolerance) < target:
        return None
    lo, hi = 0.0, top
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if power(design, mid, alpha, tolerance) < target else (lo, mid)
    return hi


def episodes_per_task(design: Design, drop: float, alpha: float, target: float, tolerance: float) -> int | None:
    """The fewest episodes per task (the same in every task) that detect `drop` with probability `target`; None when
    no number does (the drop is within the tolerance, or larger than the baseline's rates allow)."""
    if drop <= tolerance or power(design.scaled(MAX_PER_TASK), drop, alpha, tolerance) < target:
        return None
    lo, hi = 0, 1
    while power(design.scaled(hi), drop, alpha, tolerance) < target:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if power(design.scaled(mid), drop, alpha, tolerance) < target else (lo, mid)
    return hi
