"""What `vla_harness.evaluate` returns: success per suite and task with 95% Wilson intervals, and every record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import Cell, count, dedupe, natural_key


@dataclass(frozen=True)
class Rate:
    """Successes among the episodes with an outcome (policy faults count as failures); env/infra errors and skips
    are counted apart and are in no denominator."""

    successes: int
    n: int
    ci: tuple[float, float]  # 95% Wilson interval of the rate
    errors: int = 0  # env/infra errors (not failures: `vla-harness resume RUN_DIR` re-runs them)
    policy_faults: int = 0  # of n

    @property
    def rate(self) -> float:
        return self.successes / self.n if self.n else float("nan")

    @staticmethod
    def of(cell: Cell) -> "Rate":
        return Rate(cell.successes, cell.n, cell.ci, cell.errors, cell.policy_faults)

    def __str__(self) -> str:
        lo, hi = self.ci
        return f"{100 * self.rate:.1f}% ({self.successes}/{self.n}) [{100 * lo:.1f}, {100 * hi:.1f}]"


@dataclass(frozen=True)
class TaskResult:
    bench: str
    suite: str
    task_id: int
    task_name: str
    success: Rate


@dataclass(frozen=True)
class EvalResult:
    """One evaluation call: its run directory (as `vla-harness eval` writes it), the numbers, and what it cost."""

    run_dir: Path
    success: Rate  # every episode of the run
    suites: dict[str, Rate]  # "bench/suite" -> rate
    tasks: list[TaskResult]
    records: list[EpisodeRecord]  # the latest record per episode key
    executed: int  # episodes run by this call
    wall_s: float  # this call, start to end
    envs_built: int  # env constructions this call paid (0 when every env was warm)

    @property
    def success_rate(self) -> float:
        return self.success.rate

    def summary(self) -> str:
        lines = [f"{self.run_dir}: {self.success} in {self.wall_s:.1f}s, {self.envs_built} env(s) built"]
        lines += [f"  {name}: {rate}" for name, rate in self.suites.items()]
        return "\n".join(lines)


def result_of(run_dir: Path, records: Sequence[EpisodeRecord], executed: int, wall_s: float,
              envs_built: int) -> EvalResult:
    latest = dedupe(records)
    by_suite: dict[str, list[EpisodeRecord]] = {}
    by_task: dict[tuple, list[EpisodeRecord]] = {}
    for rec in latest:
        s = rec.spec
        by_suite.setdefault(f"{s.bench}/{s.suite}", []).append(rec)
        by_task.setdefault((s.bench, s.suite, s.task_id, s.task_name), []).append(rec)
    suites = {name: Rate.of(count(by_suite[name])) for name in sorted(by_suite, key=natural_key)}
    tasks = [TaskResult(*key, Rate.of(count(by_task[key]))) for key in sorted(by_task, key=natural_key)]
    return EvalResult(Path(run_dir), Rate.of(count(latest)), suites, tasks, latest, executed, wall_s, envs_built)
