"""Every configuration the official stack runs, by suite: the Google robot's two (google_tasks.py) and Bridge's one
(bridge_tasks.py); suite names do not overlap, so the env child looks a configuration up by suite, task and index."""

from __future__ import annotations

from vla_harness.benchmarks.simpler.official import bridge_tasks, google_tasks
from vla_harness.benchmarks.simpler.official.episode_config import Config

SUITES: dict[str, dict[str, list[Config]]] = {**google_tasks.SUITES, **bridge_tasks.SUITES}


def config(suite: str, task: str, index: int) -> Config:
    return SUITES[suite][task][index]
