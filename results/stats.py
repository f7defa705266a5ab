"""Binomial statistics used by every table and by `compare`: Wilson, Newcombe (paired and unpaired), exact McNemar.

Pure standard library so that `vla-harness eval` can print its table without scipy; the tests check every function
against scipy/statsmodels (and a published worked example for the paired interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from vla_harness.harness.interval import NAN_CI, Z95, wilson_interval  # in the core: live progress prints it too


def z_of(alpha: float) -> float:
    """Two-sided normal quantile for a (1 - alpha) interval."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return NormalDist().inv_cdf(1 - alpha / 2)


def newcombe_unpaired(s1: int, n1: int, s2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Interval for p2 - p1 from independent samples: Newcombe's hybrid score method (his method 10, 1998)."""
    if n1 == 0 or n2 == 0:
        return NAN_CI
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1, z)
    l2, u2 = wilson_interval(s2, n2, z)
    d = p2 - p1
    return (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))


@dataclass(frozen=True)
class PairedCounts:
    """Paired outcomes of the same episodes under two policies (1 = baseline, 2 = candidate)."""

    both: int  # success under both
    only1: int  # success under the baseline only (discordant, candidate worse)
    only2: int  # success under the candidate only (discordant, candidate better)
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.only1 + self.only2 + self.neither

    @property
    def p1(self) -> float:
        return (self.both + self.only1) / self.n if self.n else math.nan

    @property
    def p2(self) -> float:
        return (self.both + self.only2) / self.n if self.n else math.nan


def _paired_phi(t: PairedCounts) -> float:
    """Newcombe's continuity-adjusted correlation between the two marginal proportions."""
    m1, m2 = t.both + t.only1, t.only2 + t.neither
    c1, c2 = t.both + t.only2, t.only1 + t.neither
    if 0 in (m1, m2, c1, c2):
        return 0.0
    a = t.both * t.neither - t.only1 * t.only2
    if a > t.n / 2:
        a -= t.n / 2
    elif a >= 0:
        a = 0.0
    return a / math.sqrt(m1 * m2 * c1 * c2)


def newcombe_paired(t: PairedCounts, z: float = Z95) -> tuple[float, float]:
    """Interval for p2 - p1 on paired data: Newcombe's square-and-add method (1998, method 10)."""
    if t.n == 0:
        return NAN_CI
    p1, p2 = t.p1, t.p2
    l1, u1 = wilson_interval(t.both + t.only1, t.n, z)
    l2, u2 = wilson_interval(t.both + t.only2, t.n, z)
    phi = _paired_phi(t)
    d = p2 - p1
    lower = d - math.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)))
    upper = d + math.sqrt(max(0.0, (u2 - p2) ** 2 + (p1 - l1) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1)))
    return (lower, upper)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact (conditional binomial) McNemar p-value on the discordant pairs; 1.0 when there are none."""
    m = b + c
    if m == 0:
        return 1.0
    term = tail = 1  # C(m, 0); each next binomial coefficient from the last one, exactly, in integers
    for i in range(min(b, c)):
        term = term * (m - i) // (i + 1)
        tail += term
    return min(1.0, 2 * tail / 2 ** m)  # big-integer division: exact, no underflow at m in the thousands
