"""The two official repositories at their pinned commits: downloaded as archives, unpacked into the user cache and
checked file by file against the git blob ids recorded in sources.json (every file of both trees, from git ls-tree).

GitHub publishes no checksum for its archives: the archive's sha256 is recorded when it is fetched (fetched.json), and
each unpacked file must match its blob id; a file that does not is refused. Files the archive lacks are listed (a
mirror may lack the largest ones); the tasks that need them are refused, naming them.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from vla_harness.benchmarks.asset_cache import family_dir, read_record, unpack_zip, write_record
from vla_harness.benchmarks.download import DownloadError, Remote, download, file_digests

FAMILY = "simpler_official"
SOURCES = json.loads(Path(__file__).with_name("sources.json").read_text())
MARKERS = {"simpler-env/ManiSkill2_real2sim": "mani_skill2_real2sim", "simpler-env/SimplerEnv": "simpler_env"}


@dataclass(frozen=True)
class Source:
    repo: str
    commit: str
    files: dict[str, list]  # path -> [git blob id, bytes or None]

    @property
    def name(self) -> str:
        return self.repo.split("/")[1]

    @property
    def remote(self) -> Remote:
        return Remote(url=f"https://github.com/{self.repo}/archive/{self.commit}.zip",
                      name=f"{self.name}-{self.commit[:12]}.zip", cite=f"{self.repo}@{self.commit[:7]}",
                      files=tuple((path, blob) for path, (blob, _) in sorted(self.files.items())))


def sources() -> list[Source]:
    return [Source(r["repo"], r["commit"], r["files"]) for r in SOURCES["repos"]]


def src_root(dir_option: str | None = None) -> Path:
    return family_dir(FAMILY, dir_option) / "src"


def tree(source: Source, dir_option: str | None = None) -> Path:
    return src_root(dir_option) / source.name


def fetch_sources(dir_option: str | None = None, mirror: str | None = None, progress: bool = True,
                  force: bool = False) -> dict[str, list[str]]:
    """Fetch, unpack and check both trees; returns, per repository, the files its archive lacked."""
    root, lacking = family_dir(FAMILY, dir_option), {}
    for source in sources():
        dest = tree(source, dir_option)
        if force or source.repo not in read_record(root) or not (dest / MARKERS[source.repo]).is_dir():
            _fetch_one(source, root, dest, mirror, progress)
        else:
            print(f"{source.repo}: already fetched into {dest} (--force fetches it again)", file=sys.stderr)
        lacking[source.repo] = missing_files(source, dest)
    return lacking


def _fetch_one(source: Source, root: Path, dest: Path, mirror: str | None, progress: bool) -> None:
    remote = source.remote.via(mirror)
    archive, _ = download(remote, root / "downloads", progress)
    sha256 = file_digests(archive)[0]
    unpack_zip(archive, dest, MARKERS[source.repo])
    size = archive.stat().st_size
    archive.unlink()
    bad = corrupt_files(source, dest)
    if bad:
        shutil.rmtree(dest)
        raise DownloadError(f"{source.repo}@{source.commit[:7]} from {remote.url}: {len(bad)} file(s) differ from "
                            f"the pinned commit's git blob ids ({', '.join(bad[:3])}); the tree was deleted")
    checked = len(source.files) - len(missing_files(source, dest))
    write_record(root, source.repo, remote.url, f"archive sha256 {sha256}; {checked} files match the git blob ids "
                 f"of {source.commit[:12]}", size)


def corrupt_files(source: Source, dest: Path) -> list[str]:
    return [path for path, (blob, _) in source.files.items()
            if (dest / path).is_file() and file_digests(dest / path)[1] != blob]


def missing_files(source: Source, dest: Path) -> list[str]:
    return sorted(path for path in source.files if not (dest / path).is_file())
