"""The picture behind `vla-harness show-perturbations`: one row per dimension, one column per level.

Every cell is what the policy's camera sees for that (dimension, level) of one base episode, shown upright. Dimensions
that change the scene get a real env reset per cell; image-only and text-only ones (noise, language) apply the same
functions the env applies to the level-0 image, so the grid costs one reset per scene cell.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vla_harness.benchmarks.perturb import BASELINE, dimension
from vla_harness.benchmarks.perturb.base import Dimension
from vla_harness.benchmarks.perturb.sweep import PerturbSweep
from vla_harness.harness.config import ConfigError
from vla_harness.harness.protocols import BenchSelection


@dataclass
class Grid:
    dimensions: list[str]
    levels: list[int]
    images: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    instructions: dict[tuple[str, int], str] = field(default_factory=dict)


def collect(sweep: PerturbSweep, task_id: int, camera: str, size: int, trial: int = 0, seed: int = 7) -> Grid:
    base = sweep.base.episodes(BenchSelection(tasks=(task_id,), trials=trial + 1), seed)[trial]
    grid = Grid(sweep.dimensions, sweep.levels)
    env = sweep.make_env(base)
    try:
        env.reset(sweep.perturbed(base, BASELINE, 0))
        raw = env.observe((camera,), size).images[camera]
        for name in sweep.dimensions:
            dim = dimension(name)
            for level in sweep.levels:
                spec = sweep.perturbed(base, name, level)
                if level == 0:
                    img = raw
                elif type(dim).apply_model is Dimension.apply_model:
                    img = dim.image(raw, camera, spec.perturbation.params, 0)
                else:
                    env.reset(spec)
                    img = env.observe((camera,), size).images[camera]
                grid.images[(name, level)] = img[::-1, ::-1]  # MuJoCo renders upside down
                grid.instructions[(name, level)] = spec.instruction
    finally:
        env.close()
    return grid


def draw(grid: Grid, path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cols = len(grid.dimensions), len(grid.levels)
    fig, axes = plt.subplots(rows, cols, figsize=(2.1 * cols, 2.3 * rows), squeeze=False)
    for r, name in enumerate(grid.dimensions):
        for c, level in enumerate(grid.levels):
            ax = axes[r][c]
            ax.imshow(grid.images[(name, level)])
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"level {level}", fontsize=10)
            if c == 0:
                ax.set_ylabel(name, fontsize=11)
            if name == "language":
                text = "\n".join(textwrap.wrap(grid.instructions[(name, level)], 34)[:5])
                ax.text(0.5, -0.03, text, transform=ax.transAxes, ha="center", va="top", fontsize=5.5)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def check_camera(camera: str, cameras: tuple[str, ...]) -> str:
    if camera not in cameras:
        raise ConfigError(f"--camera '{camera}' is not a camera of this benchmark; allowed: {', '.join(cameras)}")
    return camera
