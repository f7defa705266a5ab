"""What `compare` found: one Scope per row (whole run, suites, dimensions) and the Comparison with its verdict rules
(results/compare.py builds them, results/compare_render.py prints them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vla_harness.results.gate import Gate
from vla_harness.results.power import Clustered
from vla_harness.results.stats import PairedCounts


@dataclass(frozen=True)
class Scope:
    """One comparison row: the whole run or one suite."""

    name: str
    n1: int  # baseline episodes used
    n2: int  # candidate episodes used
    p1: float
    p2: float
    ci: tuple[float, float]  # for p2 - p1
    p_value: float | None  # exact McNemar (paired only)
    pairs: PairedCounts | None = None
    clustered: Clustered | None = None  # cluster-robust (CR1) by task: interval and t test

    @property
    def diff(self) -> float:
        return self.p2 - self.p1


@dataclass
class Comparison:
    paired: bool
    overall: Scope
    rows: list[Scope]
    tolerance: float
    alpha: float
    notes: list[str] = field(default_factory=list)
    gate: Gate | None = None
    allow_underpowered: bool = False
    broken: list[Scope] = field(default_factory=list)  # tasks worse beyond the tolerance at alpha / tasks (paired)

    @property
    def significant(self) -> bool:
        o = self.overall
        if self.paired:
            episodes = o.p_value is not None and o.p_value < self.alpha
        else:
            episodes = o.ci[1] < 0 or o.ci[0] > 0
        tasks = o.clustered is None or o.clustered.p_value is None or o.clustered.p_value < self.alpha
        return episodes and tasks

    @property
    def overall_drop(self) -> bool:
        return self.overall.diff < -self.tolerance and self.significant

    @property
    def regression(self) -> bool:
        """A significant drop beyond the tolerance overall, or in one task (exact McNemar at alpha / tasks)."""
        return self.overall_drop or bool(self.broken)

    @property
    def cannot_judge(self) -> bool:
        """No regression found, and the sample could not have found the drop it must detect."""
        return not self.regression and self.gate is not None and not self.gate.enough

    @property
    def exit_code(self) -> int:
        return 1 if self.regression else 3 if self.cannot_judge and not self.allow_underpowered else 0


