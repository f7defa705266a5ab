"""Deduplicate records by episode key and count successes per group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from harness.types import EpisodeRecord
from results.stats import wilson_interval


def latest_by_key(records: Iterable[EpisodeRecord]) -> dict[str, EpisodeRecord]:
    """One record per key: the latest non-error attempt wins; errors only where nothing else exists."""
    chosen: dict[str, EpisodeRecord] = {}
    for rec in records:
        old = chosen.get(rec.key)
        if old is None or rec.error is None or old.error is not None:
            chosen[rec.key] = rec
    return chosen


@dataclass(frozen=True)
class Cell:
    successes: int
    n: int  # episodes that finished without error
    errors: int
    skipped: int = 0

    @property
    def rate(self) -> float:
        return self.successes / self.n if self.n else float("nan")

    @property
    def ci(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.n)


def count(records: Iterable[EpisodeRecord]) -> Cell:
    s = n = e = k = 0
    for r in records:
        if r.error is not None:
            if r.error.kind == "skipped":
                k += 1
            else:
                e += 1
        else:
            n += 1
            s += int(bool(r.success))
    return Cell(s, n, e, k)


def group(records: Iterable[EpisodeRecord], key: Callable[[EpisodeRecord], object]) -> dict[object, Cell]:
    buckets: dict[object, list[EpisodeRecord]] = {}
    for r in records:
        buckets.setdefault(key(r), []).append(r)
    return {k: count(v) for k, v in sorted(buckets.items(), key=lambda kv: str(kv[0]))}
