"""Can a comparison judge at all? The minimum detectable drop of the runs `compare` judged, against the drop the gate
must be able to detect; too small a sample is "cannot judge" (exit 3), never "OK" (results/power.py has the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import natural_key
from vla_harness.results.power import Design, episodes_per_task, min_detectable_drop, power

DEFAULT_DETECT = 0.10
DEFAULT_POWER = 0.80
# A run sized by `plan` for 80% power measures 78-86% at the sizes tests/test_results_power.py simulates: its own
# baseline's success rates are estimates. The gate accepts 5 points below the target so that noise never turns a
# planned run into CANNOT JUDGE; the verdict line always states the power the sample has.
POWER_SLACK = 0.05


def task_of(rec: EpisodeRecord) -> str:
    """The cluster an episode belongs to: its task (every init state, trial and variant of it)."""
    return f"{rec.spec.bench}/{rec.spec.suite}/{rec.spec.task_id}"


def design_of(baseline: Iterable[EpisodeRecord]) -> Design:
    """Per task (natural order): the baseline's success rate over its episodes, and how many there are."""
    by_task: dict[str, list[bool]] = {}
    for rec in baseline:
        by_task.setdefault(task_of(rec), []).append(bool(rec.success))
    tasks = sorted(by_task, key=natural_key)
    return Design(tuple(sum(by_task[t]) / len(by_task[t]) for t in tasks), tuple(len(by_task[t]) for t in tasks))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Gate:
    """What the judged sample can detect, and whether that is enough for the drop it must detect."""

    design: Design
    detect: float  # the drop to detect: the user's, or all the baseline has if that is less
    power: float
    alpha: float
    tolerance: float
    mdd: float | None  # minimum detectable drop at `power`; None: not even losing every success would be detected

    @property
    def trivial(self) -> bool:
        """The baseline succeeds so rarely that no drop beyond the tolerance is possible: nothing to detect."""
        return self.design.mean_rate <= self.tolerance

    @property
    def enough(self) -> bool:
        return self.trivial or self.achieved >= self.power - POWER_SLACK

    @property
    def achieved(self) -> float:
        """The power this sample has for the drop to detect."""
        return power(self.design, self.detect, self.alpha, self.tolerance)

    @property
    def needed_per_task(self) -> int | None:
        return episodes_per_task(self.design, self.detect, self.alpha, self.power, self.tolerance)

    def describe(self) -> str:
        d = self.design
        size = f"{_n(d.tasks, 'task')}, {d.episodes / max(d.tasks, 1):.3g} pairs per task"
        mdd = f"{100 * self.mdd:.1f} points" if self.mdd is not None else "none (not even a drop to 0% in every task)"
        return (f"minimum detectable drop: {mdd} at {100 * self.power:g}% power, alpha {self.alpha:g}, tolerance "
                f"{100 * self.tolerance:.1f} points ({size}; the baseline's per-task rates, the same drop in every "
                "task, candidate outcomes independent of the baseline's)")

    def shortfall(self) -> str:
        """Why this sample cannot judge, and what would."""
        need = self.needed_per_task
        sized = (f"detecting {100 * self.detect:.1f} points needs {need} episodes per task ({need * self.design.tasks} "
                 f"in all, {_n(self.design.tasks, 'task')})" if need else
                 f"no number of episodes per task detects {100 * self.detect:.1f} points with the tolerance at "
                 f"{100 * self.tolerance:.1f}")
        return (f"this sample detects a {100 * self.detect:.1f}-point drop with {100 * self.achieved:.0f}% power, not "
                f"{100 * self.power:g}%; {sized} (`vla-harness plan --baseline BASELINE_RUN --drop {self.detect:g}`); "
                "--allow-underpowered accepts the sample")


def gate_for(baseline: Iterable[EpisodeRecord], detect: float, target: float, alpha: float,
             tolerance: float) -> Gate:
    design = design_of(baseline)
    detect = min(detect, max(design.mean_rate, 0.0)) if design.mean_rate > tolerance else detect
    return Gate(design, detect, target, alpha, tolerance, min_detectable_drop(design, alpha, target, tolerance))
