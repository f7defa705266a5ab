"""Where the Bridge assets live, which files each task reads, and the messages when they are missing.

ManiSkill decides an asset is "downloaded" only from a folder's existence and otherwise asks (y/n) on stdin,
so everything is checked here first and the prompt itself is disarmed while an env is built.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vla_harness.benchmarks.asset_cache import family_dir
from vla_harness.benchmarks.simpler.protocol import BridgeTask
from vla_harness.harness.errors import MissingDependency

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "assets" / "simpler-bridge"
BRIDGE = "tasks/bridge_v2_real2sim_dataset"
MARKERS = (BRIDGE, "robots/widowx")  # the folders ManiSkill's "already downloaded" test looks at
STAGES = {"flat_table": "bridge_table_1_v1.glb", "sink": "bridge_table_1_v2.glb"}
OVERLAYS = {"flat_table": "bridge_real_eval_1.png", "sink": "bridge_sink.png"}
VISUALS = ("textured.obj", "textured.dae", "textured.glb")  # ManiSkill takes the first that exists
STAND_IN_SHA256 = "e9b373efe99c16f5"  # first 16 hex of the generated flat-box stage in shared/assets
REAL_STAGE_MIN_BYTES = 1 << 20  # the real Bridge stages are several MiB; a smaller file is not the original


def download_hint(folder: Path | str = "~/.maniskill") -> str:
    cmd = f"MS_ASSET_DIR={folder} python -m mani_skill.utils.download_asset"
    return (f"on a machine with internet run `vla-harness assets fetch simpler_bridge` (or ManiSkill's own "
            f"`{cmd} bridge_v2_real2sim -y && {cmd} widowx250s -y`)")


@dataclass(frozen=True)
class AssetDir:
    root: Path  # the MS_ASSET_DIR folder; ManiSkill reads root/data/...

    @property
    def data(self) -> Path:
        return self.root / "data"

    def missing_for(self, task: BridgeTask) -> list[str]:
        """Files (relative to data/) that the task reads and that are not here."""
        missing = [rel for rel in _required_files(task) if not (self.data / rel).is_file()]
        for model in task.objects:
            base = f"{BRIDGE}/custom/models/{model}"
            if not any((self.data / base / v).is_file() for v in VISUALS):
                missing.append(f"{base}/textured.{{obj,dae,glb}}")
        return missing

    def stage_stand_in(self, scene: str = "flat_table") -> bool:
        return self.stage_identity(scene).startswith("stand-in")

    def stage_identity(self, scene: str) -> str:
        """Which stage file a scene loads: "absent", "stand-in ..." or "real ...", with 16 hex of its sha256."""
        stage = self.data / BRIDGE / "stages" / STAGES[scene]
        if not stage.is_file():
            return "absent"
        digest = _sha256_16(stage, stage.stat().st_size, stage.stat().st_mtime_ns)
        if stage.stat().st_size < REAL_STAGE_MIN_BYTES or digest == STAND_IN_SHA256:
            return f"stand-in {STAGES[scene]} sha256 {digest}"
        return f"real {STAGES[scene]} sha256 {digest}"


@lru_cache(maxsize=None)
def _sha256_16(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _required_files(task: BridgeTask) -> list[str]:
    files = ["robots/widowx/wx250s.urdf", "robots/widowx/wx250s.srdf", f"{BRIDGE}/custom/{task.model_json}",
             f"{BRIDGE}/stages/{STAGES[task.scene]}", f"{BRIDGE}/real_inpainting/{OVERLAYS[task.scene]}"]
    return files + [f"{BRIDGE}/custom/models/{m}/collision.obj" for m in task.objects]


def candidates(explicit: str | None = None) -> list[Path]:
    """Where to look, in order: an explicit folder (bench option), MS_ASSET_DIR, the user cache that
    `vla-harness assets fetch simpler_bridge` fills, then the shared folder beside the checkout."""
    found = [Path(explicit).expanduser()] if explicit else []
    if os.environ.get("MS_ASSET_DIR"):
        found.append(Path(os.environ["MS_ASSET_DIR"]).expanduser())
    return found + [family_dir("simpler_bridge"), SHARED_DIR]


def find_assets(explicit: str | None = None) -> AssetDir | None:
    for root in candidates(explicit):
        if all((root / "data" / m).is_dir() for m in MARKERS):
            return AssetDir(root.resolve())
    return None


def not_found_message(explicit: str | None = None) -> str:
    looked = ", ".join(str(p) for p in candidates(explicit))
    return (f"SimplerEnv Bridge assets not found (looked for data/{MARKERS[0]} and data/{MARKERS[1]} under: {looked}); "
            f"set MS_ASSET_DIR to a folder that has them, or {download_hint()}")


def missing_message(task: BridgeTask, assets: AssetDir, missing: list[str]) -> str:
    return (f"{task.env_id} cannot run: {len(missing)} asset file(s) missing under {assets.data}: "
            f"{', '.join(missing)}; {download_hint(assets.root)} (or copy the files there)")


def _refuse_prompt(message: str) -> bool:
    raise MissingDependency(f"ManiSkill wanted to download assets ({message.strip()}); {download_hint()}")


@contextlib.contextmanager
def no_download_prompt():
    """ManiSkill's prompt would block on stdin (or crash without one): turn it into a clear error."""
    from mani_skill.utils import download_asset

    saved = download_asset.prompt_yes_no
    download_asset.prompt_yes_no = _refuse_prompt
    try:
        yield
    finally:
        download_asset.prompt_yes_no = saved


def point_maniskill_at(assets: AssetDir) -> None:
    """ManiSkill reads MS_ASSET_DIR once, at import: set it first, and refuse if it was imported elsewhere."""
    os.environ["MS_ASSET_DIR"] = str(assets.root)
    import mani_skill

    if Path(mani_skill.ASSET_DIR).resolve() != assets.data:
        raise MissingDependency(f"mani_skill was imported with assets at {mani_skill.ASSET_DIR} before this benchmark "
                                f"chose {assets.data}; set MS_ASSET_DIR={assets.root} before starting")
