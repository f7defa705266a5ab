"""`vla-harness assets fetch` end to end against a local HTTP server (127.0.0.1, made here, bounded): the real download
code (Range resume, published checksums, progress), unpacking into the cache, and the benchmarks finding it there."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from tests.asset_server import serve, zip_of
from vla_harness.benchmarks import download
from vla_harness.benchmarks.libero_plus import fetch as lp_fetch
from vla_harness.benchmarks.libero_plus.assets import assets_source, required_files
from vla_harness.benchmarks.libero_plus.catalog import catalog
from vla_harness.benchmarks.libero_plus.fetch import ARCHIVE
from vla_harness.cli.main import main

HF_PATH = "/" + ARCHIVE.url.split("://", 1)[1]


@pytest.fixture
def server():
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def libero_plus_zip() -> bytes:
    """An assets.zip with the official layout: every file any variant loads, under a top folder, stub contents."""
    needed = sorted({f for v in catalog() for f in required_files(v)})
    return zip_of({f"LIBERO-plus-0/assets/{name}": b"<stub/>" for name in needed}
                | {"LIBERO-plus-0/README.txt": b"x", "LIBERO-plus-0/assets/scenes/padding.bin": bytes(range(256)) * 64})


@pytest.fixture
def pinned(libero_plus_zip, monkeypatch):
    """The archive's checksum known to the harness (as a pinned sha256 would be): the stub zip's."""
    monkeypatch.setattr(lp_fetch, "ARCHIVE", replace(ARCHIVE, sha256=hashlib.sha256(libero_plus_zip).hexdigest()))


def test_fetch_libero_plus_interrupted_resumes_and_the_benchmark_finds_it(server, libero_plus_zip, pinned, tmp_path,
                                                                           monkeypatch, capsys):
    files, url = server
    files.content[HF_PATH] = libero_plus_zip
    files.cut[HF_PATH] = len(libero_plus_zip) // 3
    monkeypatch.setenv("VLA_HARNESS_ASSETS", str(tmp_path / "cache"))
    monkeypatch.delenv("LIBERO_PLUS_ASSET_PATH", raising=False)
    assert main(["assets", "fetch", "libero_plus", "--mirror", url]) == 0
    gets = [r for r in files.requests if r[0] == "GET"]
    assert gets[-1][2] == f"bytes={len(libero_plus_zip) // 3}-"  # resumed with a Range request, not restarted
    out, err = capsys.readouterr()
    assert "interrupted" in err and "resuming" in err and "100.0%" in err  # the progress bar reached the end
    assert "10,030 of 10,030 variants" in out and "sha256 checked when fetched" in out
    root, source = assets_source()  # no option: the cache is found
    assert root == tmp_path / "cache" / "libero_plus" / "assets" and source.startswith("cache")
    assert not list((tmp_path / "cache" / "libero_plus" / "downloads").iterdir())  # archive removed after unpacking
    before = len(files.requests)
    assert main(["assets", "fetch", "libero_plus", "--mirror", url]) == 0  # already there: nothing downloaded again
    assert len(files.requests) == before and "already fetched" in capsys.readouterr().err


def test_a_part_left_by_an_earlier_run_is_resumed(server, libero_plus_zip, tmp_path):
    files, url = server
    files.content[HF_PATH] = libero_plus_zip
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / f"{ARCHIVE.name}.part").write_bytes(libero_plus_zip[:5000])
    remote = download.published_checksum(ARCHIVE.via(url))
    assert remote.sha256 == hashlib.sha256(libero_plus_zip).hexdigest() and remote.size == len(libero_plus_zip)
    path, verified = download.download(remote, downloads, progress=False)
    assert path.read_bytes() == libero_plus_zip and verified == "sha256"
    assert [r[2] for r in files.requests if r[0] == "GET" and r[1].startswith("/cdn/")] == ["bytes=5000-"]


def test_a_corrupted_download_is_refused_and_nothing_is_unpacked(server, libero_plus_zip, pinned, tmp_path, capsys):
    files, url = server
    files.content[HF_PATH] = libero_plus_zip
    files.corrupt.add(HF_PATH)
    cache = tmp_path / "cache"
    assert main(["assets", "--dir", str(cache), "fetch", "libero_plus", "--mirror", url, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "is corrupt (sha256" in err and "deleted" in err and len(err.strip().splitlines()) == 1
    assert not (cache / "libero_plus" / "assets").exists()
    assert not list((cache / "libero_plus" / "downloads").iterdir())  # the bad part is gone: the next run starts over


def test_a_missing_file_on_the_server_is_one_line(server, pinned, tmp_path, capsys):
    _, url = server
    assert main(["assets", "fetch", "libero_plus", "--dir", str(tmp_path), "--mirror", url, "--no-progress"]) == 2
    assert "HTTP 404" in capsys.readouterr().err


def test_git_blob_and_size_checks(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"hello\n")
    blob = "ce013625030ba8dba906f756967f9e9ca394464a"  # `git hash-object` of "hello\n"
    assert download.verify(download.Remote("http://h/x", "x.bin", git_blob=blob), f) == "git blob"
    with pytest.raises(download.DownloadError, match="6 bytes, expected 7"):
        download.verify(download.Remote("http://h/x", "x.bin", size=7), f)
    assert not f.exists()


def test_mirror_maps_host_and_path():
    assert ARCHIVE.via("http://127.0.0.1:9/").url == \
        "http://127.0.0.1:9/huggingface.co/datasets/Sylvest/LIBERO-plus/resolve/main/assets.zip"
    assert replace(ARCHIVE).via(None) == ARCHIVE


def test_planning_runs_never_opens_a_connection(monkeypatch, capsys):
    """Nothing downloads implicitly: planning LIBERO-Plus (assets missing) and SimplerEnv opens no socket."""
    import socket

    from vla_harness.benchmarks.libero_plus.bench import LiberoPlusBenchmark
    from vla_harness.benchmarks.simpler.bench import SimplerBridgeBenchmark
    from vla_harness.harness.protocols import BenchSelection

    def no_network(*args, **kwargs):
        raise AssertionError("a benchmark opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    specs = LiberoPlusBenchmark(dimensions="light", sample=1).episodes(BenchSelection(), run_seed=0)
    assert specs and "vla-harness assets fetch libero_plus" in capsys.readouterr().err
    assert SimplerBridgeBenchmark().episodes(BenchSelection(tasks=(0, 3)), run_seed=0)
