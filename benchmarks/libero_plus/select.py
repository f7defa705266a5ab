"""Filters (suites, base tasks, dimensions, difficulty) and the stratified sample: K variants per dimension x suite."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from vla_harness.benchmarks.libero_plus.catalog import DIMENSIONS, SUITES, Variant
from vla_harness.harness.config import ConfigError

ALIASES = {"robot": "robot_init", "camera_viewpoint": "camera", "lang": "language", "texture": "background",
           "sensor_noise": "noise", "objects_layout": "layout"}


@dataclass(frozen=True)
class Filters:
    suites: tuple[str, ...] = SUITES
    tasks: tuple[int, ...] | None = None
    dimensions: tuple[str, ...] = DIMENSIONS
    difficulty: tuple[int, ...] | None = None
    sample: int | None = None
    sample_seed: int = 0


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def parse_dimensions(value: Any) -> tuple[str, ...]:
    names = [ALIASES.get(n.lower(), n.lower()) for n in _items(value)]
    bad = [n for n in names if n not in DIMENSIONS]
    if bad:
        raise ConfigError(f"unknown LIBERO-Plus dimension(s) {', '.join(bad)}; allowed: {', '.join(DIMENSIONS)}")
    return tuple(names) or DIMENSIONS


def parse_difficulty(value: Any) -> tuple[int, ...] | None:
    """'3-5', '1,2', 4 or [3, 4] -> levels; None means no filter."""
    if value is None or value == "":
        return None
    levels: list[int] = []
    for part in _items(value) if not isinstance(value, int) else [str(value)]:
        lo, _, hi = part.partition("-")
        try:
            levels.extend(range(int(lo), int(hi or lo) + 1))
        except ValueError as exc:
            raise ConfigError(f"--difficulty expects levels 1-5 like 3-5 or 1,2; got '{value}'") from exc
    if not levels or not all(1 <= d <= 5 for d in levels):
        raise ConfigError(f"--difficulty levels are 1-5; got '{value}'")
    return tuple(sorted(set(levels)))


def parse_suites(value: Sequence[str] | None) -> tuple[str, ...]:
    names = tuple(value) if value else SUITES
    bad = [s for s in names if s not in SUITES]
    if bad:
        raise ConfigError(f"libero_plus has suites {', '.join(SUITES)}; got {', '.join(bad)}")
    return names


def select(variants: Iterable[Variant], f: Filters) -> list[Variant]:
    if f.sample is not None and f.sample < 1:
        raise ConfigError(f"--sample must be >= 1 (variants per dimension x suite), got {f.sample}")
    variants = list(variants)
    known = sorted({v.task_id for v in variants})
    bad = sorted(set(f.tasks or ()) - set(known))
    if bad and known:
        raise ConfigError(f"libero_plus has base tasks {known[0]}-{known[-1]}; got {bad}")
    kept = [v for v in variants if v.suite in f.suites and v.dimension in f.dimensions
            and (f.tasks is None or v.task_id in f.tasks)
            and (f.difficulty is None or v.difficulty in f.difficulty)]
    return stratified_sample(kept, f.sample, f.sample_seed) if f.sample else kept


def stratified_sample(variants: Sequence[Variant], k: int, seed: int = 0) -> list[Variant]:
    """K variants from every (suite, dimension) stratum, drawn with a fixed per-stratum seed: same list every time."""
    strata: dict[tuple[str, str], list[Variant]] = {}
    for v in variants:
        strata.setdefault((v.suite, v.dimension), []).append(v)
    picked: list[Variant] = []
    for (suite, dimension), members in strata.items():
        digest = hashlib.sha256(f"{seed}/{suite}/{dimension}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        idx = rng.choice(len(members), size=min(k, len(members)), replace=False)
        picked.extend(members[i] for i in sorted(idx))
    order = {s: i for i, s in enumerate(SUITES)}
    return sorted(picked, key=lambda v: (order[v.suite], v.index))
