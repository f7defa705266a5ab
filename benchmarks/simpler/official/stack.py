"""The simpler_official stack: its environment (.venv-simpler beside the checkout, or $VLA_HARNESS_SIMPLER_VENV), what
its child process needs (the asset folder, the Vulkan layer on a CPU), and `vla-harness env setup simpler_official`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vla_harness.benchmarks.simpler.official.fill import fill_from_bridge_assets
from vla_harness.benchmarks.simpler.official.sources import FAMILY, fetch_sources, sources, tree
from vla_harness.harness.env_stack import EnvStack
from vla_harness.harness.venv_setup import create_venv

PROJECT = Path(__file__).resolve().parents[3]
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
VENV_ENV = "VLA_HARNESS_SIMPLER_VENV"
SETUP = f"vla-harness env setup {FAMILY}"
# SimplerEnv's scripts name the overlays ./ManiSkill2_real2sim/data/real_inpainting/...: the data folder of this tree
MS2 = "simpler-env/ManiSkill2_real2sim"


def venv_path() -> Path:
    return Path(os.environ.get(VENV_ENV) or PROJECT / ".venv-simpler").expanduser()


def data_dir(dir_option: str | None = None) -> Path:
    return tree(next(s for s in sources() if s.repo == MS2), dir_option) / "data"


def stack(dir_option: str | None = None, timeout_s: float = 600.0) -> EnvStack:
    from vla_harness.benchmarks.simpler.official.vulkan import layer_env

    env = {"MS2_REAL2SIM_ASSET_DIR": str(data_dir(dir_option)), "DISPLAY": "", **layer_env()}
    return EnvStack(FAMILY, venv_path(), env_vars=env, start_timeout_s=600.0, op_timeout_s=timeout_s)


def setup(dir_option: str | None = None, mirror: str | None = None, progress: bool = True,
          force: bool = False) -> Path:
    """Fetch and check the sources, create the environment, install everything into it, build the Vulkan layer."""
    from vla_harness.benchmarks.simpler.official.vulkan import build_layer, needs_layer

    lacking = fetch_sources(dir_option, mirror, progress, force)
    ms2 = next(s for s in sources() if s.repo == MS2)
    folder, filled = fill_from_bridge_assets(ms2, tree(ms2, dir_option))
    if filled:
        print(f"{MS2}: {len(filled)} file(s) the archive lacked taken from the Bridge assets in {folder}, each "
              f"matching its git blob id: {', '.join(filled)}", file=sys.stderr)
        lacking[MS2] = [f for f in lacking[MS2] if f not in filled]
    for repo, files in lacking.items():
        if files:
            print(f"{repo}: the archive lacked {len(files)} file(s), e.g. {', '.join(files[:3])}; the tasks that need "
                  "them are refused (`vla-harness assets` lists them)", file=sys.stderr)
    trees = [tree(s, dir_option) for s in sources()]
    python = create_venv(venv_path(), sys.executable, REQUIREMENTS, trees, PROJECT)
    if needs_layer():
        print(f"Vulkan layer for CPU rendering: {build_layer()}", file=sys.stderr)
    return python
