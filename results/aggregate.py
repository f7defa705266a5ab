"""Deduplicate records by episode key and count successes per group."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from harness.types import EpisodeRecord
from results.stats import wilson_interval

SKIPPED = "skipped"


def latest_by_key(records: Iterable[EpisodeRecord]) -> dict[str, EpisodeRecord]:
    """One record per key, in the order given: the latest non-error attempt wins; an error only where nothing else
    exists."""
    chosen: dict[str, EpisodeRecord] = {}
    for rec in records:
        old = chosen.get(rec.key)
        if old is None or rec.error is None or old.error is not None:
            chosen[rec.key] = rec
    return chosen


def dedupe(records: Iterable[EpisodeRecord]) -> list[EpisodeRecord]:
    return list(latest_by_key(records).values())


def is_skipped(rec: EpisodeRecord) -> bool:
    return rec.error is not None and rec.error.kind == SKIPPED


@dataclass(frozen=True)
class Cell:
    """Outcome counts of one group: errors and skips are counted apart and never enter the denominator."""

    successes: int
    n: int  # episodes that finished without error
    errors: int
    skipped: int = 0

    @property
    def rate(self) -> float:
        return self.successes / self.n if self.n else math.nan

    @property
    def ci(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.n)


def count(records: Iterable[EpisodeRecord]) -> Cell:
    s = n = e = k = 0
    for r in records:
        if is_skipped(r):
            k += 1
        elif r.error is not None:
            e += 1
        else:
            n += 1
            s += int(bool(r.success))
    return Cell(s, n, e, k)


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
