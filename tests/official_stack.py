"""The official SimplerEnv stack for tests and CI: the snapshot of both repositories that the workplace keeps beside
the checkout (shared/src, at the pinned commits, without its largest files) is served as the two GitHub archives from
a local server on 127.0.0.1, and `vla-harness env setup simpler_official --mirror` installs it through the same code a
user's machine runs against GitHub."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest

from tests.asset_server import serve
from vla_harness.benchmarks.simpler.official.sources import sources

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "src"


def archive_of(folder: Path, top: str) -> bytes:
    """A zip laid out like GitHub's archive of a commit (one top folder), stored uncompressed (fast to make)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}/{path.relative_to(folder)}")
    return buf.getvalue()


@contextlib.contextmanager
def snapshot_mirror(snapshot: Path = SNAPSHOT):
    """(server files, mirror URL) serving the snapshot's two trees at the pinned archives' URLs."""
    with serve() as (files, url):
        for source in sources():
            path = "/" + source.remote.url.split("://", 1)[1]
            files.content[path] = archive_of(snapshot / source.name, f"{source.name}-{source.commit}")
        yield files, url


@pytest.fixture(scope="session")
def official_stack() -> Path:
    """`vla-harness env setup simpler_official` from the snapshot, once per test session: the asset cache folder."""
    from vla_harness.benchmarks.asset_cache import family_dir
    from vla_harness.cli.main import main

    with snapshot_mirror() as (_files, url):
        assert main(["env", "setup", "simpler_official", "--mirror", url, "--no-progress"]) == 0
    return family_dir("simpler_official")
