"""The clustered paired test `compare` uses, its power model, and `plan` agreeing with `compare` on simulated runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from vla_harness.results.compare import compare
from vla_harness.results.power import Design, clustered_paired, episodes_per_task, min_detectable_drop, power
from vla_harness.results.student_t import t_cdf, t_quantile
from vla_harness.results.synthetic import record

RATES = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)  # ten tasks of unequal difficulty


@pytest.mark.parametrize("df", [1, 2, 4, 9, 30, 500])
def test_student_t_matches_scipy(df):
    for t in (-40.0, -3.1, -1.0, -1e-9, 0.0, 0.4, 2.26, 7.0):
        assert t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), abs=1e-9)
    for p in (1e-5, 0.025, 0.2, 0.5, 0.8, 0.975, 0.9999):
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8, abs=1e-8)
    assert t_cdf(1.3, math.inf) == pytest.approx(stats.norm.cdf(1.3))


def test_cr1_is_a_paired_t_test_on_per_task_means_when_tasks_are_balanced():
    rng = np.random.default_rng(0)
    diffs = {f"t{g}": list(rng.choice([-1, 0, 0, 1], size=12, p=[0.3, 0.25, 0.25, 0.2])) for g in range(8)}
    got = clustered_paired(diffs, 0.05)
    means = [np.mean(v) for v in diffs.values()]
    ref = stats.ttest_1samp(means, 0.0)
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-9) and got.df == 7
    lo, hi = ref.confidence_interval(0.95)
    assert got.ci == pytest.approx((lo, hi), rel=1e-9)


def test_tasks_that_move_apart_widen_the_clustered_interval_not_the_episode_one():
    base, cand = [], []
    for task in range(10):  # half the tasks lose 40 points, half gain 40: episodes of one task move together
        for trial in range(50):
            b = trial < 30
            c = trial < (10 if task % 2 else 50)
            base.append(record("b", "fake", "s", task, trial, b))
            cand.append(record("c", "fake", "s", task, trial, c))
    comp = compare(base, cand, allow_underpowered=True)
    newcombe, clustered = comp.overall.ci, comp.overall.clustered.ci
    assert clustered[1] - clustered[0] > 2 * (newcombe[1] - newcombe[0])


def test_the_power_model_sizes_runs_and_the_minimum_detectable_drop_is_its_inverse():
    design = Design(RATES, (1,) * len(RATES))
    m = episodes_per_task(design, 0.10, 0.05, 0.8, 0.02)
    assert power(design.scaled(m), 0.10, 0.05, 0.02) >= 0.8 > power(design.scaled(m - 1), 0.10, 0.05, 0.02)
    assert min_detectable_drop(design.scaled(m), 0.05, 0.8, 0.02) == pytest.approx(0.10, abs=0.002)
    assert episodes_per_task(design, 0.02, 0.05, 0.8, 0.02) is None  # a drop at the tolerance: never reliably
    assert min_detectable_drop(Design((1.0,), (5,)), 0.05, 0.8, 0.02) is None  # exact McNemar needs 6 pairs
    assert min_detectable_drop(Design((1.0,), (8,)), 0.05, 0.8, 0.02) > 0.4  # eight see only a large drop


def _simulated_runs(rng, per_task: int, drop: float):
    """Baseline and candidate on the same episodes; the candidate loses `drop` in every task, independently."""
    base, cand = [], []
    for task, p in enumerate(RATES):
        b = rng.random(per_task) < p
        c = rng.random(per_task) < p - drop
        base += [record("b", "fake", "s", task, i, bool(x)) for i, x in enumerate(b)]
        cand += [record("c", "fake", "s", task, i, bool(x)) for i, x in enumerate(c)]
    return base, cand


def test_a_run_sized_by_plan_detects_a_10_point_drop_mostly_and_no_drop_rarely(capsys):
    from vla_harness.cli.main import main

    assert main(["plan", "--rate", "0.75", "--tasks", "10", "--drop", "0.10"]) == 0  # the CLI prints the same model
    assert "episodes per task: " in capsys.readouterr().out
    design = Design(RATES, (1,) * len(RATES))
    m = episodes_per_task(design, 0.10, 0.05, 0.8, 0.02)
    rng = np.random.default_rng(2026)
    rates = {}
    for drop in (0.10, 0.0):
        verdicts = [compare(*_simulated_runs(rng, m, drop)).exit_code for _ in range(200)]
        rates[drop] = sum(v == 1 for v in verdicts) / 200
        assert 3 not in verdicts  # a run sized by plan can always judge
    print(f"\n{m} episodes/task x 10 tasks: REGRESSION in {100 * rates[0.10]:.1f}% of 200 runs with a 10-point drop, "
          f"{100 * rates[0.0]:.1f}% with none")
    assert rates[0.10] >= 0.7 and rates[0.0] <= 0.06
