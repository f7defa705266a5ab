"""`simpler_bridge -B stack=official`: SimplerEnv's four WidowX Bridge tasks through the official stack
(bridge_tasks.py), in the simpler_official environment's child process, under the same task names, trials and
conventions as the ManiSkill3 port that stays the default (benchmarks/simpler/bench.py)."""

from __future__ import annotations

from vla_harness.benchmarks.simpler.official import bridge_tasks as bt
from vla_harness.benchmarks.simpler.official.bench import OfficialBenchmark
from vla_harness.benchmarks.simpler.official.protocol import bridge_official_protocol
from vla_harness.benchmarks.simpler.protocol import TASKS
from vla_harness.harness.protocols import BenchProtocol


class OfficialBridgeBenchmark(OfficialBenchmark):
    name = "simpler_bridge"
    suites = bt.SUITES
    task_names = bt.TASK_NAMES

    def __init__(self, asset_dir: str | None = None, timeout_s: float = 600.0) -> None:
        super().__init__(asset_dir=asset_dir, timeout_s=timeout_s)

    def protocol(self) -> BenchProtocol:
        return bridge_official_protocol(self.tree)

    def instruction(self, task: str) -> str:
        return next(t.instruction for t in TASKS if t.name == task)
