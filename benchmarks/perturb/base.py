"""What every perturbation dimension provides, and how its random draws are seeded.

A dimension draws its parameters once per base episode (from the episode seed), as unit-free "directions"; the level
only scales their magnitude. So level 3 of an episode pushes the same way as level 1, three times as far, and two runs
with the same seed get the same perturbation. Level 0 draws nothing and changes nothing.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from vla_harness.harness.config import ConfigError

MAX_LEVEL = 5


def dimension_rng(seed: int, dimension: str, salt: str = "") -> np.random.Generator:
    """Independent of the level: the same seed and dimension give the same draws at every level."""
    return np.random.default_rng([int(seed), zlib.crc32(f"{dimension}:{salt}".encode())])


class Dimension:
    """Base class: override the hooks that apply (model after reset, image, instruction)."""

    name = ""
    units = ""  # what its parameters measure (show-perturbations prints it under the grid)

    def params(self, level: int, seed: int, options: dict[str, Any]) -> dict[str, Any]:
        """JSON-able parameters of this level for this seed; {} at level 0 (nothing drawn, nothing changed)."""
        if level == 0:
            return {}
        return self.draw(level, dimension_rng(seed, self.name), options, seed)

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        """The parameters of a level >= 1, drawn from `rng` (the same draws at every level of this seed)."""
        raise NotImplementedError

    def xml_processor(self, params: dict[str, Any]):
        """A function over the scene XML, run by robosuite when the reset rebuilds the model; None: no change."""
        return None

    def apply_model(self, env, params: dict[str, Any]) -> dict[str, Any]:
        """Change sim.model / sim.data after reset + init state; returns what was realised (for the record)."""
        return {}

    def image(self, img: np.ndarray, camera: str, params: dict[str, Any], step: int) -> np.ndarray:
        return img

    def instruction(self, text: str, params: dict[str, Any]) -> str:
        return text


def check_level(level: int) -> int:
    if not 0 <= int(level) <= MAX_LEVEL:
        raise ConfigError(f"perturbation level must be 0-{MAX_LEVEL}, got {level}")
    return int(level)


def unit_vector(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=n)
    return v / (np.linalg.norm(v) or 1.0)


def sign(rng: np.random.Generator) -> float:
    return 1.0 if rng.random() < 0.5 else -1.0


def rounded(values: Any, digits: int = 5) -> Any:
    """Plain Python floats for the JSON record."""
    arr = np.round(np.asarray(values, dtype=float), digits)
    return arr.tolist()
