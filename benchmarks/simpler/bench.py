"""SimplerEnv Bridge as a harness benchmark: 4 tasks x 24 official episode configurations, through the ManiSkill3 port
(the default) or, with `-B stack=official`, through the official stack in its own environment (official/bridge.py)."""

from __future__ import annotations

import sys

from vla_harness.benchmarks.simpler.assets import (
    STAGES,
    AssetDir,
    MissingDependency,
    find_assets,
    missing_message,
    not_found_message,
)
from vla_harness.benchmarks.simpler.protocol import SUITE, TASKS, TRIALS_PER_TASK, bridge_protocol
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import with_seed
from vla_harness.harness.types import EpisodeSpec


class SimplerBridgeBenchmark:
    name = "simpler_bridge"

    def __init__(self, asset_dir: str | None = None) -> None:
        self.asset_dir = asset_dir
        self.assets: AssetDir | None = find_assets(asset_dir)

    def protocol(self) -> BenchProtocol:
        stages = {scene: self.assets.stage_identity(scene) for scene in STAGES} if self.assets else None
        stand_in = any(v.startswith("stand-in") for v in (stages or {}).values())
        return bridge_protocol(stage_stand_in=stand_in, stages=stages)

    def require_assets(self) -> AssetDir:
        if self.assets is None:
            raise MissingDependency(not_found_message(self.asset_dir))
        return self.assets

    def missing(self, task_id: int) -> str | None:
        """Why task_id cannot run here (a message naming the files), or None when it can."""
        assets = self.require_assets()
        files = assets.missing_for(TASKS[task_id])
        return missing_message(TASKS[task_id], assets, files) if files else None

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        tasks = self._tasks(selection)
        self._warn_unrunnable(tasks)
        trials = selection.trials or TRIALS_PER_TASK
        if trials > TRIALS_PER_TASK:
            raise ConfigError(f"simpler_bridge has {TRIALS_PER_TASK} official episode configurations per task; "
                              f"--trials {trials} is too many")
        specs = []
        for task_id in tasks:
            task = TASKS[task_id]
            for trial in range(trials):
                spec = EpisodeSpec(bench=self.name, suite=SUITE, task_id=task_id, task_name=task.name,
                                   instruction=task.instruction, trial=trial, seed=0,
                                   max_steps=selection.max_steps or task.max_steps, init_state_index=trial)
                specs.append(with_seed(spec, run_seed))
        return specs

    def _tasks(self, selection: BenchSelection) -> tuple[int, ...]:
        if selection.suites and set(selection.suites) != {SUITE}:
            raise ConfigError(f"simpler_bridge has one suite, '{SUITE}'; got {', '.join(selection.suites)}")
        tasks = tuple(selection.tasks) if selection.tasks is not None else tuple(range(len(TASKS)))
        bad = [t for t in tasks if not 0 <= t < len(TASKS)]
        if bad:
            names = ", ".join(f"{i}={t.name}" for i, t in enumerate(TASKS))
            raise ConfigError(f"simpler_bridge has tasks 0-{len(TASKS) - 1} ({names}); got {bad}")
        return tasks

    def _warn_unrunnable(self, tasks: tuple[int, ...]) -> None:
        """Refuse a run where nothing can run; otherwise say which tasks will be recorded as env errors."""
        reasons = {t: self.missing(t) for t in tasks}
        if all(reasons.values()):
            raise MissingDependency(" | ".join(dict.fromkeys(reasons.values())))
        for task_id, reason in reasons.items():
            if reason:
                print(f"warning: task {task_id} will be recorded as env_error: {reason}", file=sys.stderr)

    def env_key(self, spec: EpisodeSpec) -> str:
        return f"{spec.suite}/{spec.task_id}"

    def make_env(self, spec: EpisodeSpec):
        from vla_harness.benchmarks.simpler.env import SimplerBridgeEnv

        reason = self.missing(spec.task_id)
        if reason:
            raise MissingDependency(reason)
        assets = self.require_assets()
        task = TASKS[spec.task_id]
        return SimplerBridgeEnv(task, assets, assets.stage_stand_in(task.scene))


STACKS = ("maniskill3", "official")


def simpler_bridge(stack: str = "maniskill3", asset_dir: str | None = None, timeout_s: float | None = None):
    """`-B stack=official` runs the tasks through SimplerEnv's own stack (`vla-harness env setup simpler_official`);
    `asset_dir` is then the asset cache holding its sources, as for simpler_google."""
    if stack not in STACKS:
        raise ConfigError(f"simpler_bridge -B stack= takes {' or '.join(STACKS)}; got '{stack}'")
    if stack == "maniskill3":
        if timeout_s is not None:
            raise ConfigError("simpler_bridge -B timeout_s= is for the official stack's child process "
                              "(-B stack=official)")
        return SimplerBridgeBenchmark(asset_dir=asset_dir)
    from vla_harness.benchmarks.simpler.official.bridge import OfficialBridgeBenchmark

    return OfficialBridgeBenchmark(asset_dir=asset_dir, timeout_s=600.0 if timeout_s is None else timeout_s)
