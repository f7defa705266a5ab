"""`vla-harness plan`: how many episodes per task `compare` needs to detect a drop, and how long they take here."""

from __future__ import annotations

import platform
from dataclasses import dataclass

from vla_harness.results.aggregate import is_outcome, is_skipped, latest_by_key
from vla_harness.results.gate import design_of
from vla_harness.results.load import RunData
from vla_harness.results.power import Design, episodes_per_task, min_detectable_drop, power


@dataclass(frozen=True)
class Throughput:
    """Episodes per hour as a stored run measured them, on its own machine and worker count."""

    per_hour: float
    episodes: int
    hours: float
    workers: int
    host: str

    def describe(self) -> str:
        here = "" if self.host == platform.node() else f"; measured on {self.host}, not this machine"
        return (f"{self.per_hour:.0f} episodes/hour, the baseline run's own rate ({self.episodes} episodes in "
                f"{3600 * self.hours:.0f} s with {self.workers} worker(s){here})")


def throughput(run: RunData) -> Throughput | None:
    """From the records' finish times and wall times: first start to last finish (workers included)."""
    timed = [r for r in run.records if r.finished_at > 0 and r.time.wall_s > 0]
    if not timed:
        return None
    start = min(r.finished_at - r.time.wall_s for r in timed)
    hours = (max(r.finished_at for r in timed) - start) / 3600
    if hours <= 0:
        return None
    return Throughput(len(timed) / hours, len(timed), hours, int(run.config.get("workers") or 1),
                      str(run.manifest.machine.get("host", "?")))


@dataclass(frozen=True)
class Plan:
    design: Design  # the baseline's per-task rates (or one assumed rate), one entry per task
    drop: float
    alpha: float
    power: float
    tolerance: float
    per_task: int | None  # None: no number of episodes detects the drop
    source: str
    trials_limit: int | None = None  # the benchmark's trials per task (e.g. LIBERO's 50 init states)
    rate: Throughput | None = None
    baseline_mdd: float | None = None  # what the baseline's own design detects (a candidate on its episodes)

    @property
    def total(self) -> int | None:
        return None if self.per_task is None else self.per_task * self.design.tasks

    @property
    def achieved(self) -> float | None:
        return None if self.per_task is None else power(self.design.scaled(self.per_task), self.drop, self.alpha,
                                                        self.tolerance)

    @property
    def hours(self) -> float | None:
        return None if self.total is None or self.rate is None else self.total / self.rate.per_hour


def make_plan(design: Design, drop: float, alpha: float, target: float, tolerance: float, source: str,
              run: RunData | None = None) -> Plan:
    per_task = episodes_per_task(design, drop, alpha, target, tolerance)
    limit = run.manifest.protocol.get("trials_per_task") if run is not None else None
    mdd = min_detectable_drop(design, alpha, target, tolerance) if run is not None else None
    return Plan(design, drop, alpha, target, tolerance, per_task, source, limit,
                throughput(run) if run is not None else None, mdd)


def baseline_design(run: RunData) -> Design:
    """Per task, the baseline's success rate over its outcomes (policy faults are failures; skips and env errors
    are not outcomes)."""
    kept = [r for r in latest_by_key(run.records).values() if is_outcome(r) and not is_skipped(r)]
    return design_of(kept)
