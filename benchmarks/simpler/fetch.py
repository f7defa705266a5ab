"""What SimplerEnv Bridge needs, what is here, and `vla-harness assets fetch simpler_bridge`.

Sources (read in the installed mani_skill 3.0.1, mani_skill/utils/assets/data.py): the data sources `widowx250s`
(GitHub haosulab/ManiSkill-WidowX250S tag v0.2.0: no checksum is published for the archive, so every unpacked file is
checked against its git blob at commit 6a12bb7, widowx_files.json) and `bridge_v2_real2sim` (Hugging Face
haosulab/ManiSkill_bridge_v2_real2sim, sha256 pinned here as published there), unpacked where ManiSkill expects them.
Any file the four tasks read that the archives lack (the real table and sink stages, the eggplant mesh, ...) is then
fetched from SimplerEnv's own real2sim data (real2sim_files.json: simpler-env/ManiSkill2_real2sim at a fixed commit),
each checked against its git blob id.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vla_harness.benchmarks.asset_cache import (
    Piece,
    family_dir,
    fetch_archive,
    folder_size,
    recorded_check,
    write_record,
)
from vla_harness.benchmarks.download import Remote, download
from vla_harness.benchmarks.simpler.assets import BRIDGE, find_assets
from vla_harness.benchmarks.simpler.protocol import TASKS, TRIALS_PER_TASK

FAMILY = "simpler_bridge"
FETCH = "vla-harness assets fetch simpler_bridge"
MANISKILL = "mani_skill 3.0.1 utils/assets/data.py"
WIDOWX_FILES = json.loads(Path(__file__).with_name("widowx_files.json").read_text())
WIDOWX = Remote(url="https://github.com/haosulab/ManiSkill-WidowX250S/archive/refs/tags/v0.2.0.zip",
                name="ManiSkill-WidowX250S-v0.2.0.zip", cite=f"{MANISKILL} DATA_SOURCES['widowx250s']",
                files=tuple((f["path"], f["git_blob"]) for f in WIDOWX_FILES["files"]))
BRIDGE_ZIP = Remote(url="https://huggingface.co/datasets/haosulab/ManiSkill_bridge_v2_real2sim/resolve/main/"
                        "bridge_v2_real2sim_dataset.zip", name="bridge_v2_real2sim_dataset.zip",
                    sha256="618512a205b4528cafecdad14b1788ed1130879f3064deb406516ed5b9c5ba92",
                    cite=f"{MANISKILL} DATA_SOURCES['bridge_v2_real2sim']")
REAL2SIM = json.loads(Path(__file__).with_name("real2sim_files.json").read_text())
ROBOT = "robots/widowx"


def cached_root(dir_option: str | None = None) -> Path:
    """The MS_ASSET_DIR folder `assets fetch simpler_bridge` fills (ManiSkill reads its data/ subfolder)."""
    return family_dir(FAMILY, dir_option)


def real2sim_remotes() -> list[tuple[str, Remote]]:
    """(destination under the Bridge folder, remote file) for every SimplerEnv real2sim file the tasks read."""
    base = f"https://raw.githubusercontent.com/{REAL2SIM['repo']}/{REAL2SIM['commit']}"
    cite = f"{REAL2SIM['repo']}@{REAL2SIM['commit'][:7]}"
    return [(f["dest"], Remote(url=f"{base}/{f['path']}", name=f["dest"].replace("/", "__"), git_blob=f["git_blob"],
                               size=f["bytes"], cite=cite)) for f in REAL2SIM["files"]]


def fetch(dir_option: str | None = None, mirror: str | None = None, progress: bool = True,
          keep_archive: bool = False, force: bool = False) -> Path:
    root = cached_root(dir_option)
    for remote, dest, marker in ((WIDOWX, ROBOT, "wx250s.urdf"), (BRIDGE_ZIP, BRIDGE, "custom")):
        fetch_archive(remote, mirror, root, root / "data" / dest, marker, remote.name, remote.name, progress,
                      keep_archive, force)
    _fill_from_real2sim(root, mirror, progress)
    return root


def _fill_from_real2sim(root: Path, mirror: str | None, progress: bool) -> None:
    folder = root / "data" / BRIDGE
    missing = [(dest, r) for dest, r in real2sim_remotes() if not (folder / dest).is_file()]
    if missing:
        print(f"{len(missing)} file(s) the Bridge tasks read are not in the ManiSkill archive: fetching them from "
              f"{REAL2SIM['repo']}", file=sys.stderr)
    for dest, remote in missing:
        remote = remote.via(mirror)
        path, verified = download(remote, root / "downloads", progress)
        (folder / dest).parent.mkdir(parents=True, exist_ok=True)
        size = path.stat().st_size
        path.replace(folder / dest)
        write_record(root, dest, remote.url, verified, size)


def _match_real2sim(bridge: Path) -> str:
    """For a folder not fetched here: how many of its files are byte-identical to SimplerEnv's originals."""
    from vla_harness.benchmarks.download import file_digests

    present = [f for f in REAL2SIM["files"] if (bridge / f["dest"]).is_file()]
    same = sum(file_digests(bridge / f["dest"])[1] == f["git_blob"] for f in present)
    return (f"not fetched here; {same} of its {len(present)} files that SimplerEnv's real2sim data has are "
            f"byte-identical to it ({REAL2SIM['repo']}@{REAL2SIM['commit'][:7]}, git blob ids)")


def inventory(dir_option: str | None = None) -> list[Piece]:
    cached = cached_root(dir_option)
    assets = find_assets(str(cached) if (cached / "data" / BRIDGE).is_dir() else None)
    if assets is None:
        return [Piece("Bridge assets (ManiSkill widowx250s + bridge_v2_real2sim)", False, None, "",
                      f"all {len(TASKS)} Bridge tasks", get=FETCH)]
    robot, bridge = assets.data / ROBOT, assets.data / BRIDGE
    pieces = [Piece("WidowX 250 S robot (ManiSkill widowx250s)", (robot / "wx250s.urdf").is_file(), robot,
                    recorded_check(assets.root, WIDOWX.name) or "not fetched here, not verified",
                    f"all {len(TASKS)} Bridge tasks", get=FETCH, size=folder_size(robot)),
              Piece("Bridge real2sim data (ManiSkill bridge_v2_real2sim)", bridge.is_dir(), bridge,
                    recorded_check(assets.root, BRIDGE_ZIP.name) or _match_real2sim(bridge),
                    "objects, overlays and stages of the Bridge tasks", get=FETCH, size=folder_size(bridge))]
    stage = bridge / "stages" / "bridge_table_1_v1.glb"
    flat = [t.name for t in TASKS if t.scene == "flat_table"]
    real = stage.is_file() and not assets.stage_stand_in("flat_table")
    stage_check = recorded_check(assets.root, "stages/bridge_table_1_v1.glb") or "real stage, not verified"
    pieces.append(Piece("real Bridge table stage (stages/bridge_table_1_v1.glb)", real, stage if real else None,
                        stage_check if real else "here: a flat-box stand-in" if stage.is_file() else "",
                        f"{', '.join(flat)} on the real table (numbers comparable with SimplerEnv's)", get=FETCH))
    for task_id, task in enumerate(TASKS):
        missing = assets.missing_for(task)
        if missing:
            short = [m.removeprefix(f"{BRIDGE}/") for m in missing]
            pieces.append(Piece(f"task {task_id} files ({len(missing)} missing: {', '.join(short[:3])}"
                                + (", ..." if len(missing) > 3 else "") + ")", False, None, "",
                                f"task {task_id} {task.name}: {TRIALS_PER_TASK} episodes", get=FETCH))
    return pieces
