"""`assets fetch` trusts no file nobody vouches for: the checksum comes from the harness (pinned) or the official host,
never from a mirror; a WidowX archive is checked file by file; a bad --mirror is one line (docs/reliability.md)."""

from __future__ import annotations

import hashlib
import socket
from dataclasses import replace

import pytest

from tests.asset_server import serve, url_path, zip_of
from vla_harness.benchmarks import download
from vla_harness.benchmarks.libero_plus import fetch as lp_fetch
from vla_harness.benchmarks.simpler import fetch as simpler_fetch
from vla_harness.cli.main import main

OFFICIAL = zip_of({"LIBERO-plus-0/assets/scenes/a.xml": b"<official/>"})
EVIL = zip_of({"LIBERO-plus-0/assets/scenes/a.xml": b"<evil/>"})


@pytest.fixture(name="server")
def hosted_files():
    with serve() as running:
        yield running


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_a_mirror_vouching_for_its_own_file_is_refused_for_a_pinned_asset(server, tmp_path, monkeypatch, capsys):
    files, url = server
    files.content[url_path(lp_fetch.ARCHIVE.url)] = EVIL  # the mirror publishes EVIL's own sha256 in X-Linked-Etag
    monkeypatch.setattr(lp_fetch, "ARCHIVE", replace(lp_fetch.ARCHIVE, sha256=hashlib.sha256(OFFICIAL).hexdigest()))
    assert main(["assets", "--dir", str(tmp_path), "fetch", "libero_plus", "--mirror", url, "--no-progress"]) == 2
    assert "is corrupt (sha256" in _one_line_error(capsys)
    assert not (tmp_path / "libero_plus" / "assets").exists()


def test_with_no_known_checksum_and_the_official_host_unreachable_nothing_is_used(server, tmp_path, monkeypatch,
                                                                                 capsys):
    files, url = server
    with socket.socket() as s:  # a port nothing listens on: the "official host" cannot be reached
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    remote = replace(lp_fetch.ARCHIVE, url=f"http://127.0.0.1:{closed}/huggingface.co/datasets/x/resolve/main/a.zip")
    monkeypatch.setattr(lp_fetch, "ARCHIVE", remote)
    files.content[url_path(remote.url)] = OFFICIAL  # served by the mirror, with its own checksum header
    assert main(["assets", "--dir", str(tmp_path), "fetch", "libero_plus", "--mirror", url, "--no-progress"]) == 2
    err = _one_line_error(capsys)
    assert "no checksum is known" in err and "a mirror's own checksum is not trusted" in err
    assert not [r for r in files.requests if r[0] == "GET"]  # nothing was even downloaded
    assert "verified: nothing published" not in err


def test_a_file_with_nothing_known_is_never_verified_as_nothing(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"data")
    with pytest.raises(download.DownloadError, match="no checksum is known"):
        download.verify(download.Remote("http://h/x", "x.bin"), f)
    assert not f.exists()


def test_a_widowx_archive_whose_file_is_not_the_official_one_is_refused(server, tmp_path, capsys):
    files, url = server
    good = {path: b"" for path, _ in simpler_fetch.WIDOWX.files}
    archive = zip_of({f"ManiSkill-WidowX250S-0.2.0/{p}": data for p, data in good.items()})
    files.content[url_path(simpler_fetch.WIDOWX.url)] = archive
    assert main(["assets", "--dir", str(tmp_path), "fetch", "simpler_bridge", "--mirror", url, "--no-progress"]) == 2
    err = _one_line_error(capsys)
    assert "is not the official file (git blob" in err and "interbotix_black.png" in err
    assert not (tmp_path / "simpler_bridge" / "data" / "robots" / "widowx").exists()


def test_the_widowx_pins_are_the_tags_files():
    """The pinned blobs are those of ManiSkill-WidowX250S v0.2.0 (6a12bb7): the wx250s description and its meshes."""
    assert simpler_fetch.WIDOWX_FILES["commit"].startswith("6a12bb7")
    paths = [p for p, _ in simpler_fetch.WIDOWX.files]
    assert len(paths) == 33 and "wx250s.urdf" in paths and all(len(b) == 40 for _, b in simpler_fetch.WIDOWX.files)


@pytest.mark.parametrize("mirror", ["not a url", "ftp://h/x", "127.0.0.1:8000"])
def test_a_mirror_that_is_not_an_http_url_is_one_line(tmp_path, capsys, mirror):
    assert main(["assets", "--dir", str(tmp_path), "fetch", "libero_plus", "--mirror", mirror, "--no-progress"]) == 2
    assert "--mirror must be an http(s) URL" in _one_line_error(capsys)
