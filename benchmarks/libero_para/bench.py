"""`--bench libero_para`: the LIBERO-Para protocol, each paraphrase on its LIBERO-Goal scene, paired with its base.

As the official eval scripts (cau-hai-lab/LIBERO-Para@dec2d93 eval_scripts/examples/eval_openvla_oft.py and the
others): one episode per paraphrase on its LIBERO-Goal task's env, from init state 0, 10 settle steps, 300 max steps,
the paraphrase as the instruction. Each run also holds the unperturbed base episodes (the task's LIBERO instruction on
the same init state; dimension "none"; `-B base=false` leaves them out), so the drop is paired. docs/libero_para.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from vla_harness.benchmarks.libero.bench import _suite, init_states, libero_task
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
from vla_harness.benchmarks.libero_para import catalog as cat
from vla_harness.benchmarks.libero_para.report import REPORT_FACTS
from vla_harness.benchmarks.libero_plus.select import stratified_sample
from vla_harness.benchmarks.libero_pro.select import parse_bool
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import LIBERO_ACTION_BOUNDS
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import episode_seed
from vla_harness.harness.types import EpisodeSpec, Perturbation

NAME = "libero_para"
SOURCE = ("LIBERO-Para (arXiv 2603.28301, cau-hai-lab/LIBERO-Para@dec2d93): 4,092 paraphrased LIBERO-Goal "
          "instructions, one episode each on the LIBERO-Goal task's env from init state 0, 10 settle steps, "
          "libero_goal max steps (300); metadata shipped verbatim (benchmarks/libero_para/source.json)")
ALIASES = {"obj": "object", "act": "action", "comp": "compositional", "both": "compositional"}


def parse_axes(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    names = [ALIASES.get(str(n).strip().lower(), str(n).strip().lower()) for n in items if str(n).strip()]
    if names in ([], ["all"]):
        return cat.AXES
    bad = [n for n in names if n not in cat.AXES]
    if bad:
        raise ConfigError(f"unknown LIBERO-Para axis {', '.join(bad)}; allowed: {', '.join(cat.AXES)} "
                          "(obj, act, comp)")
    return tuple(a for a in cat.AXES if a in names)


class LiberoParaBenchmark:
    name = NAME

    def __init__(self, axes: Any = None, dimensions: Any = None, sample: int | None = None, sample_seed: int = 0,
                 base: Any = True, protocol: str | None = None, env_seed: int | None = None) -> None:
        self.paper = preset(protocol, env_seed)  # `--protocol NAME` (benchmarks/libero/presets.py)
        self.axes, self.with_base = parse_axes(axes if axes is not None else dimensions), parse_bool(base, "base")
        self.sample, self.sample_seed = (int(sample) if sample is not None else None), int(sample_seed)
        if self.sample is not None and self.sample < 1:
            raise ConfigError(f"--sample must be >= 1 (paraphrases per axis), got {self.sample}")

    def protocol(self) -> BenchProtocol:
        src = cat.source()
        return BenchProtocol(name=NAME, settle_steps=self.paper.settle_steps, settle_action=SETTLE_ACTION,
                             action_dim=7, control_hz=CONTROL_HZ, max_steps=self.paper.max_steps[cat.SUITE],
                             trials_per_task=1, cameras=CAMERAS, source=SOURCE, replan_steps=self.paper.replan_steps,
                             extra={"paper_protocol": self.paper.as_dict(), "paraphrases": len(cat.catalog()),
                                    "axes": list(cat.AXES), "init_state": "trial i: init state i (protocol: 0)",
                                    "data": {"repo": src["repo"], "commit": src["commit"],
                                             "metadata_sha256": src["metadata"]["sha256"],
                                             "bddl_digest": src["paraphrase_bddl"]["digests"]["all"]},
                                    "pride_alpha": cat.ALPHA, "env_reuse": ENV_REUSE},
                             conventions=CONVENTIONS, report=REPORT_FACTS, action_bounds=LIBERO_ACTION_BOUNDS)

    def paraphrases(self, selection: BenchSelection) -> list[cat.Paraphrase]:
        if selection.suites and tuple(selection.suites) != (cat.SUITE,):
            raise ConfigError(f"libero_para runs on {cat.SUITE} only; got --suites {','.join(selection.suites)}")
        bad = sorted(set(selection.tasks or ()) - set(range(10)))
        if bad:
            raise ConfigError(f"libero_para has base tasks 0-9 (LIBERO-Goal's order); got {bad}")
        kept = [p for p in cat.catalog() if p.dimension in self.axes
                and (selection.tasks is None or p.task_id in selection.tasks)]
        return stratified_sample(kept, self.sample, self.sample_seed) if self.sample else kept

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        trials = selection.trials or 1
        if trials > TRIALS_PER_TASK:
            raise ConfigError(f"LIBERO-Goal tasks have {TRIALS_PER_TASK} init states; --trials {trials} is too many")
        chosen = self.paraphrases(selection)
        steps = selection.max_steps or self.paper.max_steps[cat.SUITE]
        specs = [self._seeded(self._spec(p, t, steps), run_seed) for p in chosen for t in range(trials)]
        if not self.with_base:
            return specs
        bases = [self._seeded(self._base(task_id, t, steps), run_seed)
                 for task_id in dict.fromkeys(p.task_id for p in chosen) for t in range(trials)]
        return bases + specs

    @staticmethod
    def _seeded(spec: EpisodeSpec, run_seed: int) -> EpisodeSpec:
        """Every paraphrase of a task shares its base episode's seed: paired."""
        return dataclasses.replace(spec, seed=episode_seed(run_seed, f"{NAME}/{spec.task_id}/{spec.trial}"))

    @staticmethod
    def _spec(p: cat.Paraphrase, trial: int, max_steps: int) -> EpisodeSpec:
        params = {"name": p.name, "object": p.object_type, "action": p.action_type, "category": p.category,
                  "sk": p.sk, "st": p.st, "pd": p.pd(), "eval_id": p.eval_id}
        return EpisodeSpec(bench=NAME, suite=cat.SUITE, task_id=p.task_id, task_name=p.task_name,
                           instruction=p.instruction, trial=trial, seed=0, max_steps=max_steps,
                           init_state_index=trial,
                           perturbation=Perturbation(dimension=p.dimension, variant_id=p.variant_id, params=params))

    @staticmethod
    def _base(task_id: int, trial: int, max_steps: int) -> EpisodeSpec:
        task = _suite(cat.SUITE).get_task(task_id)
        params = {"object": cat.NONE, "action": cat.NONE}
        return EpisodeSpec(bench=NAME, suite=cat.SUITE, task_id=task_id, task_name=task.name,
                           instruction=task.language, trial=trial, seed=0, max_steps=max_steps,
                           init_state_index=trial,
                           perturbation=Perturbation(dimension="none", variant_id="original", params=params))

    def env_key(self, spec: EpisodeSpec) -> str:
        return f"{cat.SUITE}/{spec.task_id}"  # every paraphrase of a task runs in its LIBERO-Goal env

    def make_env(self, spec: EpisodeSpec) -> LiberoEnv:
        task = libero_task(cat.SUITE, spec.task_id)
        env = LiberoEnv(LiberoTask(cat.SUITE, spec.task_id, task.name, spec.instruction, task.bddl_path),
                        init_states(cat.SUITE, spec.task_id), CAMERAS)
        env.paper = self.paper
        return env
