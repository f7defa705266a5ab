"""The registered LIBERO suites: the plain benchmark, or wrapped in the native perturbation sweep (bench option
`perturb`). Apart from bench.py so that the sweep, which builds LIBERO envs, and the suite never import each other."""

from __future__ import annotations

from vla_harness.benchmarks.libero.bench import LiberoBenchmark
from vla_harness.benchmarks.perturb.sweep import PerturbSweep
from vla_harness.harness.config import ConfigError


def with_options(suite: str, options: dict) -> LiberoBenchmark:
    """Bench options: `protocol` (a named paper protocol, presets.py), `placements` (fixed | fresh: LIBERO's
    placement samplers instead of the fixed init states); `perturb` (+ levels, ...) wraps the suite in the native
    perturbation sweep (fixed init states only)."""
    options = dict(options)
    placements = options.pop("placements", "fixed")
    if "perturb" in options and placements != "fixed":
        raise ConfigError("placements cannot be combined with perturb: the sweep perturbs the fixed init states")
    base = LiberoBenchmark(suite, protocol=options.pop("protocol", None), env_seed=options.pop("env_seed", None),
                           placements=placements)
    if "perturb" in options:
        return PerturbSweep(base, **options)
    if options:
        raise ConfigError(f"unknown option(s) {', '.join(sorted(options))} for {suite}; it takes protocol, env_seed, "
                          "placements=fixed|fresh and a perturbation sweep: perturb (+ levels, noise_kinds, "
                          "noise_cameras, cameras), see docs/perturbations.md")
    return base


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
