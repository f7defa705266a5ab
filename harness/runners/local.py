"""In-process runner: one EpisodeWorker, episodes in order (grouped by env so envs are reused)."""

from __future__ import annotations

from typing import Callable

from harness.types import EpisodeRecord, EpisodeSpec
from harness.worker import EpisodeWorker, RunJob


def run_local(job: RunJob, work: list[tuple[EpisodeSpec, int]], on_record: Callable[[EpisodeRecord], None]) -> None:
    worker = EpisodeWorker(job, worker_id="local")
    try:
        for spec, attempt in work:
            on_record(worker.run(spec, attempt))
    finally:
        worker.close()
