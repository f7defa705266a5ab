"""LIBERO suites as harness benchmarks: deterministic episode expansion with the published protocol."""

from __future__ import annotations

import contextlib
import io
import os
from functools import lru_cache

import numpy as np

from vla_harness.benchmarks.libero.env import PLACEMENTS, LiberoEnv, LiberoTask, import_libero
from vla_harness.benchmarks.libero.presets import preset
from vla_harness.benchmarks.libero.protocol import CAMERAS, TRIALS_PER_TASK, libero_protocol
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import with_seed
from vla_harness.harness.types import EpisodeSpec


@lru_cache(maxsize=None)
def _suite(suite: str):
    benchmark, _, _ = import_libero()
    with contextlib.redirect_stdout(io.StringIO()):
        return benchmark.get_benchmark_dict()[suite]()


def libero_task(suite: str, task_id: int) -> LiberoTask:
    _, get_libero_path, _ = import_libero()
    task = _suite(suite).get_task(task_id)
    bddl = os.path.join(get_libero_path("bddl_files"), task.problem_folder, task.bddl_file)
    return LiberoTask(suite, task_id, task.name, task.language, bddl)


def init_states(suite: str, task_id: int) -> np.ndarray:
    with contextlib.redirect_stdout(io.StringIO()):
        return np.asarray(_suite(suite).get_task_init_states(task_id))


class LiberoBenchmark:
    """placements="fixed" (the published protocol: trial i starts from fixed init state i) or "fresh" (each trial
    from a new placement drawn with its episode seed; for recording training data no evaluation episode shares)."""

    def __init__(self, suite: str, protocol: str | None = None, env_seed: int | None = None,
                 placements: str = "fixed") -> None:
        if placements not in PLACEMENTS:
            raise ConfigError(f"placements must be one of {', '.join(PLACEMENTS)}, got '{placements}'")
        self.suite = self.name = suite
        self.paper = preset(protocol, env_seed)  # `--protocol NAME`: the named paper protocol (presets.py)
        self.placements = placements

    def protocol(self) -> BenchProtocol:
        return libero_protocol(self.suite, self.paper, self.placements)

    def n_tasks(self) -> int:
        return _suite(self.suite).get_num_tasks()

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        n = self.n_tasks()
        tasks = selection.tasks if selection.tasks is not None else tuple(range(n))
        bad = [t for t in tasks if not 0 <= t < n]
        if bad:
            raise ConfigError(f"{self.suite} has tasks 0-{n - 1}; got {bad}")
        trials = selection.trials or self.protocol().trials_per_task
        fresh = self.placements == "fresh"
        if trials > TRIALS_PER_TASK and not fresh:
            raise ConfigError(f"{self.suite} has {TRIALS_PER_TASK} fixed init states per task; "
                              f"--trials {trials} is too many")
        max_steps = selection.max_steps or self.paper.max_steps[self.suite]
        specs = []
        for task_id in tasks:
            task = libero_task(self.suite, task_id)
            for trial in range(trials):
                spec = EpisodeSpec(bench=self.suite, suite=self.suite, task_id=task_id, task_name=task.name,
                                   instruction=task.instruction, trial=trial, seed=0, max_steps=max_steps,
                                   init_state_index=None if fresh else trial)
                specs.append(with_seed(spec, run_seed))
        return specs

    def env_key(self, spec: EpisodeSpec) -> str:
        return f"{spec.suite}/{spec.task_id}"

    def make_env(self, spec: EpisodeSpec) -> LiberoEnv:
        env = LiberoEnv(libero_task(spec.suite, spec.task_id), init_states(spec.suite, spec.task_id), CAMERAS,
                        self.placements)
        env.paper = self.paper
        return env
