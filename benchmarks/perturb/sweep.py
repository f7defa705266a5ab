"""The sweep benchmark: every base episode of a LIBERO suite at every requested level of every requested dimension.

Each base episode (task, init state, seed) keeps its seed at every level, so level comparisons are paired. Level 0
is the unperturbed episode. With one dimension it is that dimension's level 0 (key .../light-0/...); with several it
runs once per base episode as dimension "none" (key .../none-0/...), the shared level-0 point of every curve, rather
than once per dimension (`share_level0=true/false` forces either).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from vla_harness.benchmarks.perturb import BASELINE, DIMENSIONS, MAX_LEVEL, dimension
from vla_harness.benchmarks.perturb.base import check_level
from vla_harness.harness.config import ConfigError
from vla_harness.harness.options import int_ranges
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.types import EpisodeSpec, Perturbation

VERSION = 1  # bump when a dimension's meaning of a level changes: it enters the protocol hash


def parse_dimensions(value: Any) -> list[str]:
    names = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v) for v in value]
    names = [n for n in names if n]
    if names == ["all"]:
        return list(DIMENSIONS)
    if not names:
        raise ConfigError(f"--perturb needs at least one dimension; allowed: {', '.join(DIMENSIONS)} or all")
    for n in names:
        dimension(n)
    return list(dict.fromkeys(names))


def parse_levels(value: Any) -> list[int]:
    if value is None:
        return list(range(MAX_LEVEL + 1))
    if isinstance(value, int):
        value = [value]
    if isinstance(value, str):
        try:
            value = int_ranges(value)
        except ValueError as exc:
            raise ConfigError(f"--levels expects e.g. 0,1,2 or 0-5, got '{value}'") from exc
    return sorted({check_level(v) for v in value})


class PerturbSweep:
    """Wraps a LiberoBenchmark; `options` are per-dimension settings (noise_kinds, noise_cameras, cameras)."""

    def __init__(self, base, perturb: Any, levels: Any = None, share_level0: bool | None = None,
                 **options: Any) -> None:
        allowed = {"noise_kinds", "noise_cameras", "cameras"}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise ConfigError(f"unknown perturbation option(s) {', '.join(unknown)}; allowed: perturb, levels, "
                              f"share_level0, {', '.join(sorted(allowed))}")
        self.base, self.name, self.suite = base, base.name, base.suite
        self.dimensions, self.levels = parse_dimensions(perturb), parse_levels(levels)
        share = len(self.dimensions) > 1 if share_level0 is None else share_level0
        self.share_level0, self.options = bool(share), options

    def protocol(self) -> BenchProtocol:
        p = self.base.protocol()
        extra = {**p.extra, "perturb": self.dimensions, "levels": self.levels, "perturb_version": VERSION,
                 "perturb_options": self.options, "share_level0": self.share_level0}
        report = {**p.report, "dimensions": list(self.dimensions), "level_name": "level"}
        return dataclasses.replace(p, extra=extra, report=report)

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        out = []
        for spec in self.base.episodes(selection, run_seed):
            if 0 in self.levels and self.share_level0:
                out.append(self.perturbed(spec, BASELINE, 0))
            for name in self.dimensions:
                out.extend(self.perturbed(spec, name, lv) for lv in self.levels if lv > 0 or not self.share_level0)
        return out

    def perturbed(self, spec: EpisodeSpec, name: str, level: int) -> EpisodeSpec:
        """The base spec at one level: same seed (paired), params drawn from it, instruction possibly rewritten."""
        params = {} if name == BASELINE else dimension(name).params(level, spec.seed, self.options)
        text = dimension(name).instruction(spec.instruction, params) if params else spec.instruction
        pert = Perturbation(dimension=name, level=level, params=params)
        return dataclasses.replace(spec, instruction=text, perturbation=pert)

    def env_key(self, spec: EpisodeSpec) -> str:
        return self.base.env_key(spec)

    def make_env(self, spec: EpisodeSpec):
        from vla_harness.benchmarks.libero.bench import init_states, libero_task
        from vla_harness.benchmarks.libero.protocol import CAMERAS
        from vla_harness.benchmarks.perturb.env import PerturbedLiberoEnv

        env = PerturbedLiberoEnv(libero_task(spec.suite, spec.task_id), init_states(spec.suite, spec.task_id), CAMERAS)
        env.paper = self.base.paper
        return env
