"""SimplerEnv (Li et al. 2024) Bridge/WidowX visual-matching tasks through ManiSkill3 (PyPI mani-skill 3.0.1)."""

import os
import sys

from vla_harness.benchmarks.simpler.assets import find_assets

# ManiSkill reads MS_ASSET_DIR once, when first imported: point it at the assets before anything imports it.
_found = find_assets()
if _found is not None and "mani_skill" not in sys.modules:
    os.environ["MS_ASSET_DIR"] = str(_found.root)
