"""Native perturbation sweeps on any LIBERO suite: one module per dimension, a perturbed env, a sweep benchmark."""

from __future__ import annotations

from vla_harness.benchmarks.perturb.background import BackgroundDimension
from vla_harness.benchmarks.perturb.base import MAX_LEVEL, Dimension
from vla_harness.benchmarks.perturb.camera import CameraDimension
from vla_harness.benchmarks.perturb.language import LanguageDimension
from vla_harness.benchmarks.perturb.layout import LayoutDimension
from vla_harness.benchmarks.perturb.light import LightDimension
from vla_harness.benchmarks.perturb.noise import NoiseDimension
from vla_harness.benchmarks.perturb.robot_init import RobotInitDimension
from vla_harness.harness.config import ConfigError

DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    CameraDimension(), LightDimension(), BackgroundDimension(), NoiseDimension(), RobotInitDimension(),
    LanguageDimension(), LayoutDimension())}
BASELINE = "none"  # the dimension name of the shared level-0 episode


def dimension(name: str) -> Dimension:
    if name not in DIMENSIONS:
        raise ConfigError(f"unknown perturbation dimension '{name}'; allowed: {', '.join(DIMENSIONS)}")
    return DIMENSIONS[name]


__all__ = ["DIMENSIONS", "BASELINE", "MAX_LEVEL", "Dimension", "dimension"]
