"""The user cache where `vla-harness assets fetch` unpacks benchmark assets, and where the benchmarks look for them.

Folder, first set: `--dir` of the command (`dir_option`), $VLA_HARNESS_ASSETS, $XDG_CACHE_HOME/vla-harness/assets,
~/.cache/vla-harness/assets. One subfolder per benchmark family; `fetched.json` in it records what was fetched from
where and how it was verified.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "VLA_HARNESS_ASSETS"
RECORD = "fetched.json"


@dataclass(frozen=True)
class Piece:
    """One thing a benchmark family needs, as `vla-harness assets` lists it."""

    name: str
    present: bool
    path: Path | None
    verified: str  # how its content is known to be the official one (or why it is not)
    unlocks: str  # what it gives; when missing, what cannot run without it
    get: str = ""  # how to get it when missing
    size: int | None = None


def cache_root(dir_option: str | None = None) -> Path:
    chosen = dir_option or os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser().resolve() / "vla-harness" / "assets"


def family_dir(family: str, dir_option: str | None = None) -> Path:
    return cache_root(dir_option) / family


def read_record(folder: Path) -> dict[str, dict]:
    path = folder / RECORD
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_record(folder: Path, piece: str, url: str, verified: str, size: int) -> None:
    entries = read_record(folder)
    entries[piece] = {"url": url, "verified": verified, "bytes": size, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                           time.gmtime())}
    tmp = folder / f".{RECORD}.tmp"
    tmp.write_text(json.dumps(entries, indent=1))
    tmp.replace(folder / RECORD)


def recorded_check(folder: Path, piece: str) -> str | None:
    """How `piece` was verified when `assets fetch` fetched it into `folder`, or None when it has no record there."""
    record = read_record(folder).get(piece)
    return f"{record['verified']} checked when fetched {record['at']}" if record else None


def fetch_archive(remote, mirror: str | None, root: Path, dest: Path, marker: str, piece: str, label: str,
                  progress: bool = True, keep_archive: bool = False, force: bool = False) -> None:
    """Download the zip `remote` (a `benchmarks.download.Remote`, from `mirror` if given) into root/downloads,
    verified, unpack its folder holding `marker` into `dest` (its files checked when the remote pins them) and record
    it as `piece` in root's fetched.json; skipped when `dest` holds `marker` and the record has `piece`, unless
    `force`."""
    from vla_harness.benchmarks.download import download, known_checksum

    remote.via(mirror)  # a --mirror that is not a URL is refused before anything else
    if not force and (dest / marker).exists() and piece in read_record(root):
        print(f"{label}: already fetched into {dest} (--force fetches it again)", file=sys.stderr)
        return
    remote = known_checksum(remote, mirror).via(mirror)
    archive, verified = download(remote, root / "downloads", progress)
    size = archive.stat().st_size
    unpack_zip(archive, dest, marker)
    if remote.files:
        verified = check_files(dest, remote.files, archive)
    write_record(root, piece, remote.url, verified, size)
    if not keep_archive:
        archive.unlink()


def unpack_zip(archive: Path, dest: Path, marker: str) -> None:
    """Unpack into `dest` the archive's folder that holds `marker` (the archive's top folder names vary), replacing
    what `dest` held; nothing of a broken archive is left behind."""
    from vla_harness.benchmarks.download import DownloadError

    staging = dest.parent / f".{dest.name}.unpacking"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.startswith("/") or ".." in Path(name).parts:
                    raise DownloadError(f"{archive.name}: refusing an unsafe path in the archive: {name}")
            zf.extractall(staging)
        found = sorted((p.parent for p in staging.rglob(marker)), key=lambda p: len(p.parts))
        if not found:
            raise DownloadError(f"{archive.name} has no {marker}: not the expected archive")
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        found[0].replace(dest)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive.name} is not a readable zip archive ({exc}); delete it and fetch again") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_files(dest: Path, files: tuple[tuple[str, str], ...], archive: Path) -> str:
    """Every pinned file of an unpacked archive against its git blob id; on a mismatch nothing stays unpacked."""
    from vla_harness.benchmarks.download import DownloadError, file_digests

    for path, blob in files:
        found = file_digests(dest / path)[1] if (dest / path).is_file() else None
        if found != blob:
            shutil.rmtree(dest, ignore_errors=True)
            archive.unlink(missing_ok=True)
            what = f"git blob {found[:12]}..., expected {blob[:12]}..." if found else "missing"
            raise DownloadError(f"{archive.name}: {path} is not the official file ({what}); nothing was kept: run the "
                                "command again to download it afresh")
    return f"all {len(files)} files' git blobs"


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
