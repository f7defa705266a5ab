"""Which files of the official data each configuration (Google robot or Bridge) reads, whether its stage is the real one
or a stand-in, and the refusal messages (parent side: no simulator imported)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from vla_harness.benchmarks.simpler.official.bridge_tasks import MODELS as BRIDGE_MODELS
from vla_harness.benchmarks.simpler.official.episode_config import Config
from vla_harness.benchmarks.simpler.official.sources import sources
from vla_harness.benchmarks.simpler.official.standin import STAND_INS, describe

# The models each env loads (ManiSkill2_real2sim@ef7a4d4 envs/custom_scenes/grasp_single_in_scene.py,
# move_near_in_scene.py triplets, place_in_closed_drawer_in_scene.py model_ids)
COKE_DISTRACTORS = {"": ("opened_pepsi_can", "apple", "sponge", "orange"),
                    "more": ("opened_7up_can", "opened_sprite_can", "sponge", "orange", "opened_fanta_can")}
MOVE_MODELS = {"MoveNearGoogleBakedTexInScene-v0": ("blue_plastic_bottle", "baked_opened_pepsi_can", "orange",
                                                    "baked_opened_7up_can", "baked_apple", "baked_sponge",
                                                    "baked_opened_coke_can", "baked_opened_redbull_can"),
               "MoveNearGoogleInScene-v0": ("blue_plastic_bottle", "opened_pepsi_can", "orange", "opened_7up_can",
                                            "apple", "sponge", "opened_coke_can", "opened_redbull_can")}
# A missing stage of these table scenes gets a flat stand-in (standin.py); any other missing stage (the Bridge sink,
# the drawer rooms) refuses the configuration.
TABLE_SCENES = tuple(STAND_INS)
MS2 = next(s for s in sources() if s.repo == "simpler-env/ManiSkill2_real2sim")


def models(config: Config) -> tuple[str, ...]:
    if config.env_id in BRIDGE_MODELS:
        return BRIDGE_MODELS[config.env_id]
    if config.env_id.startswith("GraspSingleOpenedCokeCan"):
        extra = COKE_DISTRACTORS[config.build.get("distractor_config", "")] if "Distractor" in config.env_id else ()
        return ("opened_coke_can", *extra)
    if config.env_id.startswith("MoveNear"):
        return MOVE_MODELS.get(config.env_id, MOVE_MODELS["MoveNearGoogleInScene-v0"])
    if "model_ids" in config.build:
        return (config.build["model_ids"],)
    return ()


def stage_file(config: Config) -> str | None:
    return None if config.scene.startswith("dummy") else f"data/hab2_bench_assets/stages/{config.scene}.glb"


def required(config: Config) -> list[str]:
    """Files (relative to the ManiSkill2_real2sim tree) the configuration reads; a missing table stage is not one."""
    files = [f"data/real_inpainting/{config.overlay}"] if config.overlay else []
    stage = stage_file(config)
    if stage and config.scene not in TABLE_SCENES:
        files.append(stage)
    for model in models(config):
        folder = f"data/custom/models/{model}/"
        files += [p for p in MS2.files if p.startswith(folder) and "/" not in p[len(folder):]]
    return files


def missing(config: Config, tree: Path) -> list[str]:
    return [f for f in required(config) if not (tree / f).is_file()]


def stage_identity(config: Config, tree: Path) -> str:
    """"real <file> sha256 <16 hex>", "stand-in (flat table, ...)" or "none" (a dummy scene builds its own floor)."""
    stage = stage_file(config)
    if stage is None:
        return "none"
    path = tree / stage
    if path.is_file():
        return f"real {path.name} sha256 {_sha256_16(path, path.stat().st_size, path.stat().st_mtime_ns)}"
    return describe(config.scene) if config.scene in TABLE_SCENES else "absent"


@lru_cache(maxsize=None)
def _sha256_16(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
