"""Pending episodes for the Ray scheduler, grouped by env key so a warm worker keeps its simulator (task affinity)."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from vla_harness import harness
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec, ErrorInfo, TimeSplit

WorkItem = tuple[EpisodeSpec, int]  # (spec, attempt number)


class WorkQueue:
    """Episodes not yet handed to a worker, in plan order within each env key.

    Each episode gets `max_attempts` tries in this execution, counted from the attempt number it arrives with
    (a resumed run hands in attempt = previous records + 1).
    """

    def __init__(self, work: list[WorkItem], env_key: Callable[[EpisodeSpec], str], max_attempts: int) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.env_key = env_key
        self.groups: dict[str, deque[WorkItem]] = {}
        self.last_attempt: dict[str, int] = {}
        for spec, attempt in work:
            self.groups.setdefault(env_key(spec), deque()).append((spec, attempt))
            self.last_attempt[spec.key] = attempt + max_attempts - 1

    def __len__(self) -> int:
        return sum(len(items) for items in self.groups.values())

    def take(self, warm_key: str | None, held_by_others: set[str]) -> WorkItem | None:
        """Next episode for a worker whose warm env is `warm_key`.

        Same env first; else an env no other worker holds (each builds its own task); else steal from the
        largest group so no worker idles while work is left.
        """
        if warm_key is not None and self.groups.get(warm_key):
            return self.groups[warm_key].popleft()
        open_keys = [k for k, items in self.groups.items() if items]
        if not open_keys:
            return None
        free = [k for k in open_keys if k not in held_by_others]
        key = free[0] if free else max(open_keys, key=lambda k: len(self.groups[k]))
        return self.groups[key].popleft()

    def retry(self, spec: EpisodeSpec, attempt: int) -> bool:
        """Put the episode back (front of its group) with attempt + 1; False when its attempts are used up."""
        if attempt >= self.last_attempt[spec.key]:
            return False
        self.groups.setdefault(self.env_key(spec), deque()).appendleft((spec, attempt + 1))
        return True


def failed_record(run_id: str, spec: EpisodeSpec, attempt: int, kind: str, message: str, worker: str,
                  wall_s: float) -> EpisodeRecord:
    """The record of an episode whose last attempt was lost to a dead or stuck worker: an error, never a failure."""
    return EpisodeRecord(schema_version=harness.SCHEMA_VERSION, run_id=run_id, key=spec.key, spec=spec, success=None,
                         steps=0, error=ErrorInfo(kind, message[:2000]), attempt=attempt, worker=worker,
                         time=TimeSplit(wall_s, 0.0, 0.0, 0.0, wall_s), finished_at=time.time())
