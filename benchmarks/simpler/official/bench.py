"""SimplerEnv through the official stack: `simpler_google` (the Google robot, visual matching and variant aggregation,
every configuration of SimplerEnv's own scripts: google_tasks.py) and `simpler_bridge -B stack=official` (the four
WidowX tasks: bridge_tasks.py). The env runs in a child process of the simpler_official environment
(harness/env_proxy.py); this side imports no simulator."""

from __future__ import annotations

import sys

from vla_harness.benchmarks.asset_cache import family_dir
from vla_harness.benchmarks.simpler.assets import MissingDependency
from vla_harness.benchmarks.simpler.official import google_tasks as gt
from vla_harness.benchmarks.simpler.official import needs
from vla_harness.benchmarks.simpler.official.episode_config import Config
from vla_harness.benchmarks.simpler.official.protocol import google_protocol
from vla_harness.benchmarks.simpler.official.sources import FAMILY
from vla_harness.benchmarks.simpler.official.stack import SETUP, data_dir, stack
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import with_seed
from vla_harness.harness.types import EpisodeSpec

SHADERS = ("published", "raster")
RT_MESSAGE = ("use a GPU, or pick the rasterising shader explicitly with -B shader=raster (not the published setup; "
              "marked in every record)")


class OfficialBenchmark:
    """What both official-stack benchmarks share: refusals, planning, and the env in the stack's child process."""

    name = ""
    suites: dict[str, dict[str, list[Config]]] = {}
    task_names: tuple[str, ...] = ()

    def __init__(self, shader: str = "published", asset_dir: str | None = None, timeout_s: float = 600.0) -> None:
        if shader not in SHADERS:
            raise ConfigError(f"{self.name} -B shader= takes {' or '.join(SHADERS)}; got '{shader}'")
        self.raster, self.asset_dir, self.timeout_s = shader == "raster", asset_dir, float(timeout_s)
        self.tree = data_dir(asset_dir).parent

    def protocol(self) -> BenchProtocol:
        raise NotImplementedError

    def instruction(self, task: str) -> str:
        raise NotImplementedError

    def why_not(self, suite: str, task: str) -> str | None:
        """Why a task cannot run here (one line naming the files or the shader), or None when it can."""
        configs = self.suites[suite][task]
        if not self.tree.is_dir():
            return f"the official SimplerEnv sources are not set up: run `{SETUP}`"
        files = sorted({f for c in configs for f in needs.missing(c, self.tree)})
        if files:
            return (f"{suite}/{task} needs {len(files)} file(s) missing from {self.tree}: {', '.join(files[:6])}"
                    + (", ..." if len(files) > 6 else "") + f"; run `{SETUP} --force` on a machine with internet")
        from vla_harness.benchmarks.simpler.official.vulkan import needs_layer

        if configs[0].ray_tracing and not self.raster and needs_layer():
            return (f"{suite}/{task} renders with SimplerEnv's ray-tracing shader (~33 s per step on a CPU): "
                    f"{RT_MESSAGE}")
        return None

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        suites = tuple(selection.suites or self.suites)
        bad = [s for s in suites if s not in self.suites]
        if bad:
            raise ConfigError(f"{self.name} has suites {', '.join(self.suites)}; got {', '.join(bad)}")
        names = self.task_names
        tasks = tuple(selection.tasks) if selection.tasks is not None else tuple(range(len(names)))
        if any(not 0 <= t < len(names) for t in tasks):
            listed = ", ".join(f"{i}={n}" for i, n in enumerate(names))
            raise ConfigError(f"{self.name} has tasks 0-{len(names) - 1} ({listed}); got {list(tasks)}")
        runnable = self._runnable([(s, t) for s in suites for t in tasks])
        stack(self.asset_dir).require()
        specs = []
        for suite, task_id in runnable:
            name, configs = names[task_id], self.suites[suite][names[task_id]]
            for trial in range(min(selection.trials or len(configs), len(configs))):
                spec = EpisodeSpec(bench=self.name, suite=suite, task_id=task_id, task_name=name,
                                   instruction=self.instruction(name), trial=trial, seed=0,
                                   max_steps=selection.max_steps or configs[trial].max_steps, init_state_index=trial)
                specs.append(with_seed(spec, run_seed))
        return specs

    def _runnable(self, wanted: list[tuple[str, int]]) -> list[tuple[str, int]]:
        reasons = {(s, t): self.why_not(s, self.task_names[t]) for s, t in wanted}
        if all(reasons.values()):
            raise MissingDependency(" | ".join(dict.fromkeys(reasons.values())))
        for reason in filter(None, reasons.values()):
            print(f"warning: not planned: {reason}", file=sys.stderr)
        return [key for key, reason in reasons.items() if not reason]

    def env_key(self, spec: EpisodeSpec) -> str:
        config = self.suites[spec.suite][spec.task_name][spec.init_state_index]
        return f"{spec.suite}/{spec.task_name}/{config.env_key()}"

    def make_env(self, spec: EpisodeSpec):
        from vla_harness.harness.env_proxy import ChildEnv

        config = self.suites[spec.suite][spec.task_name][spec.init_state_index]
        files = needs.missing(config, self.tree)
        if files:
            raise MissingDependency(f"{spec.key} needs files missing from {self.tree}: {', '.join(files)}; "
                                    f"run `{SETUP} --force`")
        standin = needs.stage_identity(config, self.tree).startswith("stand-in")
        return ChildEnv(stack(self.asset_dir, self.timeout_s),
                        "vla_harness.benchmarks.simpler.official.env:OfficialEnv",
                        suite=spec.suite, task=spec.task_name, index=spec.init_state_index,
                        data_dir=str(self.tree / "data"), raster=self.raster,
                        standin_dir=str(family_dir(FAMILY, self.asset_dir) / "standin") if standin else None)


class SimplerGoogleBenchmark(OfficialBenchmark):
    name = "simpler_google"
    suites = gt.SUITES
    task_names = gt.TASK_NAMES

    def protocol(self) -> BenchProtocol:
        return google_protocol(self.tree, self.raster)

    def instruction(self, task: str) -> str:
        """The instruction as the env words it where it is fixed (the env's own one reaches the policy every step)."""
        if "coke_can" in task:
            return "pick coke can"
        if task == "move_near":
            return "move an object near another (per episode: the env's instruction)"
        if task == "put_apple_in_drawer":
            return "open top drawer, then place apple into top drawer"
        return f"{task.split('_')[0]} a drawer (top, middle or bottom: the env's instruction)"
