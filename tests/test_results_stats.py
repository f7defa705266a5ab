"""results.stats against statsmodels/scipy and a published worked example, edge cases included."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from vla_harness.results.stats import (
    Z95,
    PairedCounts,
    mcnemar_exact,
    newcombe_paired,
    newcombe_unpaired,
    wilson_interval,
    z_of,
)

CASES = [(0, 1), (1, 1), (0, 10), (10, 10), (3, 4), (7, 50), (49, 50), (25, 50), (1, 500), (9023, 10030)]


@pytest.mark.parametrize("s,n", CASES)
def test_wilson_matches_statsmodels(s, n):
    lo, hi = wilson_interval(s, n)
    ref_lo, ref_hi = proportion_confint(s, n, alpha=0.05, method="wilson")
    assert lo == pytest.approx(ref_lo, abs=1e-12) and hi == pytest.approx(ref_hi, abs=1e-12)
    assert 0.0 <= lo <= s / n <= hi <= 1.0


def test_wilson_edges_by_hand():
    # 0 of n: lower bound exactly 0, upper z^2 / (n + z^2); n of n mirrors it.
    z2 = Z95 ** 2
    assert wilson_interval(0, 10) == (0.0, pytest.approx(z2 / (10 + z2)))
    assert wilson_interval(10, 10) == (pytest.approx(10 / (10 + z2)), 1.0)
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)  # n = 0: no interval, no ZeroDivisionError


def test_z_of_alpha():
    assert z_of(0.05) == pytest.approx(Z95, abs=1e-9)
    assert z_of(0.01) == pytest.approx(2.5758293, abs=1e-6)
    with pytest.raises(ValueError):
        z_of(0.0)


@pytest.mark.parametrize("s1,n1,s2,n2", [(30, 50, 20, 50), (0, 20, 0, 20), (20, 20, 20, 20), (0, 10, 10, 10),
                                         (5, 7, 90, 100), (400, 500, 380, 500)])
def test_newcombe_unpaired_matches_statsmodels(s1, n1, s2, n2):
    lo, hi = newcombe_unpaired(s1, n1, s2, n2)  # interval for p2 - p1
    ref = confint_proportions_2indep(s2, n2, s1, n1, method="newcomb", compare="diff", alpha=0.05)
    assert lo == pytest.approx(ref[0], abs=1e-9) and hi == pytest.approx(ref[1], abs=1e-9)
    assert all(math.isnan(x) for x in newcombe_unpaired(0, 0, 3, 5))


def test_newcombe_paired_worked_example():
    # Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. 2012 table [[59, 6], [16, 80]]: the Newcombe
    # square-and-add interval for p1 - p2 is -0.0621 (-0.1186 to -0.0046). Ours is for p2 - p1.
    t = PairedCounts(both=59, only1=6, only2=16, neither=80)
    lo, hi = newcombe_paired(t)
    assert t.p2 - t.p1 == pytest.approx(0.0621, abs=5e-5)
    assert lo == pytest.approx(0.0046, abs=5e-5) and hi == pytest.approx(0.1186, abs=5e-5)


def test_newcombe_paired_edges():
    same = newcombe_paired(PairedCounts(40, 0, 0, 10))  # identical outcomes: interval around 0
    assert same[0] < 0 < same[1]
    all_ok = newcombe_paired(PairedCounts(30, 0, 0, 0))  # n of n on both sides
    assert all_ok[0] <= 0 <= all_ok[1] and -1 <= all_ok[0] and all_ok[1] <= 1
    worse = newcombe_paired(PairedCounts(0, 30, 0, 0))  # every pair lost
    assert worse[0] >= -1 and worse[1] < 0
    assert all(math.isnan(x) for x in newcombe_paired(PairedCounts(0, 0, 0, 0)))


@pytest.mark.parametrize("b,c", [(0, 0), (0, 1), (1, 0), (3, 3), (6, 16), (2, 14), (25, 40), (600, 500)])
def test_mcnemar_exact_matches_statsmodels_and_scipy(b, c):
    p = mcnemar_exact(b, c)
    ref = mcnemar([[10, b], [c, 10]], exact=True).pvalue
    assert p == pytest.approx(ref, rel=1e-9, abs=1e-300)
    if b + c:
        assert p == pytest.approx(binomtest(b, b + c, 0.5).pvalue, rel=1e-9, abs=1e-300)
    assert 0.0 <= p <= 1.0


def test_mcnemar_worked_example():
    # Same table as above: the exact conditional McNemar test gives P = 0.052479.
    assert mcnemar_exact(6, 16) == pytest.approx(0.052479, abs=1e-6)
