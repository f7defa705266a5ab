"""The registered LIBERO suites: the plain benchmark, or wrapped in the native perturbation sweep (bench option
`perturb`). Apart from bench.py so that the sweep, which builds LIBERO envs, and the suite never import each other."""

from __future__ import annotations

from benchmarks.libero.bench import LiberoBenchmark
from benchmarks.perturb.sweep import PerturbSweep
from harness.config import ConfigError


def with_options(suite: str, options: dict) -> LiberoBenchmark:
    """Bench options: `placements` (fixed | fresh) for the plain suite; `perturb` (+ levels, ...) wraps it in the
    native perturbation sweep (fixed init states only)."""
    if "perturb" in options:
        if "placements" in options:
            raise ConfigError("placements cannot be combined with perturb: the sweep perturbs the fixed init states")
        return PerturbSweep(LiberoBenchmark(suite), **options)
    unknown = sorted(set(options) - {"placements"})
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(unknown)} for {suite}; it takes placements=fixed|fresh or a "
                          "perturbation sweep: perturb (+ levels, noise_kinds, noise_cameras, cameras), "
                          "see docs/perturbations.md")
    return LiberoBenchmark(suite, **options)


def libero_spatial(**options) -> LiberoBenchmark:
    return with_options("libero_spatial", options)


def libero_object(**options) -> LiberoBenchmark:
    return with_options("libero_object", options)


def libero_goal(**options) -> LiberoBenchmark:
    return with_options("libero_goal", options)


def libero_10(**options) -> LiberoBenchmark:
    return with_options("libero_10", options)


def libero_90(**options) -> LiberoBenchmark:
    return with_options("libero_90", options)
