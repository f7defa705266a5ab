"""Deduplicate records by episode key and count successes per group."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from vla_harness.harness.errors import is_final
from vla_harness.harness.errors import is_policy_fault as policy_fault
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.stats import wilson_interval

SKIPPED = "skipped"


def is_outcome(rec: EpisodeRecord) -> bool:
    """A final outcome: finished without error, or ended by the policy's own fault (a failure), or skipped."""
    return rec.error is None or is_final(rec.error.kind)


def is_policy_fault(rec: EpisodeRecord) -> bool:
    return rec.error is not None and policy_fault(rec.error.kind)


def is_rerun_error(rec: EpisodeRecord) -> bool:
    """An env or infrastructure error: not in any number, `resume` re-runs it."""
    return rec.error is not None and not is_final(rec.error.kind)


def latest_by_key(records: Iterable[EpisodeRecord]) -> dict[str, EpisodeRecord]:
    """One record per key, in the order given: the latest final outcome wins; an env/infra error only where nothing
    else exists."""
    chosen: dict[str, EpisodeRecord] = {}
    for rec in records:
        old = chosen.get(rec.key)
        if old is None or is_outcome(rec) or not is_outcome(old):
            chosen[rec.key] = rec
    return chosen


def duplicate_keys(records: Iterable[EpisodeRecord]) -> dict[str, int]:
    """Keys with more than one final outcome: a run should hold one (two writers, or records copied in twice)."""
    n = Counter(r.key for r in records if is_outcome(r) and not is_skipped(r))
    return {k: c for k, c in n.items() if c > 1}


def dedupe(records: Iterable[EpisodeRecord]) -> list[EpisodeRecord]:
    return list(latest_by_key(records).values())


def is_skipped(rec: EpisodeRecord) -> bool:
    return rec.error is not None and rec.error.kind == SKIPPED


ERROR_SHARE_FLAG = 0.05  # `report` flags a cell where more than this share of its episodes ended in an error


@dataclass(frozen=True)
class Cell:
    """Outcome counts of one group. The policy's own faults are failures (in n, not in successes) and counted apart
    too; env/infra errors and skips are counted apart and never enter the denominator."""

    successes: int
    n: int  # episodes with an outcome: finished without error, or ended by a policy fault
    errors: int  # env and infrastructure errors (re-run by `resume`)
    skipped: int = 0
    policy_faults: int = 0  # of n: policy_error, nan_action, bad_action_shape

    @property
    def rate(self) -> float:
        return self.successes / self.n if self.n else math.nan

    @property
    def error_share(self) -> float:
        """Errors of any blame (policy faults included) among the episodes that ran."""
        ran = self.n + self.errors
        return (self.errors + self.policy_faults) / ran if ran else 0.0

    @property
    def flagged(self) -> bool:
        return self.error_share > ERROR_SHARE_FLAG

    @property
    def ci(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.n)


def count(records: Iterable[EpisodeRecord]) -> Cell:
    s = n = e = k = f = 0
    for r in records:
        if is_skipped(r):
            k += 1
        elif is_policy_fault(r):
            n += 1
            f += 1
        elif r.error is not None:
            e += 1
        else:
            n += 1
            s += int(bool(r.success))
    return Cell(s, n, e, k, f)


def natural_key(value: object) -> tuple:
    """Sort numbers numerically, then text, with None last; tuples element-wise (task 2 before task 10)."""
    if isinstance(value, tuple):
        return tuple(natural_key(v) for v in value)
    if value is None:
        return (2, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def group(records: Iterable[EpisodeRecord], key: Callable[[EpisodeRecord], object]) -> dict[object, Cell]:
    buckets: dict[object, list[EpisodeRecord]] = {}
    for r in records:
        buckets.setdefault(key(r), []).append(r)
    return {k: count(buckets[k]) for k in sorted(buckets, key=natural_key)}
