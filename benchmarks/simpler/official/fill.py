"""Files the fetched official tree lacks, taken from the Bridge asset folder when they are the same file.

`vla-harness assets fetch simpler_bridge` fetches some of SimplerEnv's real2sim data files one by one
(real2sim_files.json: the same repository and commit as the official tree), e.g. the Bridge overlay photo. When the
official archive lacked one of them (a trimmed mirror), the copy in the Bridge folder is used only if its git blob id
is the one the pinned commit records (sources.json): the same check every unpacked file of the archive passes."""

from __future__ import annotations

import shutil
from pathlib import Path

from vla_harness.benchmarks.download import file_digests
from vla_harness.benchmarks.simpler.official.sources import Source


def fill_from_bridge_assets(source: Source, tree: Path) -> tuple[Path | None, list[str]]:
    """(the Bridge folder used, the files copied from it into the tree)."""
    from vla_harness.benchmarks.simpler.assets import BRIDGE, find_assets
    from vla_harness.benchmarks.simpler.fetch import REAL2SIM

    assets = find_assets()
    if assets is None or REAL2SIM["repo"] != source.repo or REAL2SIM["commit"] != source.commit:
        return None, []
    filled = []
    for entry in REAL2SIM["files"]:
        rel, dest = entry["path"], tree / entry["path"]
        candidate = assets.data / BRIDGE / entry["dest"]
        if dest.is_file() or rel not in source.files or not candidate.is_file():
            continue
        if file_digests(candidate)[1] != source.files[rel][0]:
            continue  # e.g. a stand-in stage: not the pinned commit's file
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(candidate, tmp)
        tmp.replace(dest)
        filled.append(rel)
    return assets.root, filled
