"""`vla-harness assets fetch simpler_bridge` against a local server (127.0.0.1): ManiSkill's two archives, then the
files they lack from SimplerEnv's real2sim data (git blob checked); the benchmark then uses the real stage (the
protocol hash says so) and runs eggplant. Plus what the shared folder's real files and stand-in look like."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest

from tests.asset_server import serve, zip_of
from vla_harness.benchmarks.simpler import fetch as simpler_fetch
from vla_harness.benchmarks.simpler.assets import BRIDGE, SHARED_DIR, AssetDir
from vla_harness.benchmarks.simpler.bench import SimplerBridgeBenchmark
from vla_harness.benchmarks.simpler.protocol import TASKS
from vla_harness.cli.main import main
from vla_harness.harness.manifest import protocol_hash
from vla_harness.harness.protocols import BenchSelection

REAL_STAGE = os.urandom(1 << 20) + b"a real stage is several MiB"


@pytest.fixture
def server():
    with serve() as running:
        yield running


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1]


def _blob(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


def _needed() -> list[str]:
    """Every file (under the Bridge folder) the four tasks read, as the benchmark's own check lists them."""
    empty = AssetDir(Path("/nonexistent"))
    files = {m.removeprefix(f"{BRIDGE}/").replace("textured.{obj,dae,glb}", "textured.dae")
             for t in TASKS for m in empty.missing_for(t) if m.startswith(BRIDGE)}
    return sorted(files)


@pytest.fixture
def hosted(server, monkeypatch):
    """The server holding a WidowX archive, a Bridge archive without stages and eggplant/sink files, and those files
    at SimplerEnv's raw URLs; the module's sources pointed at their checksums."""
    files, url = server
    in_zip = [f for f in _needed() if not f.startswith("stages/") and "eggplant" not in f and "sink" not in f]
    later = {f: (REAL_STAGE if f.startswith("stages/") else f.encode()) for f in _needed() if f not in in_zip}
    bridge = zip_of({f"bridge_v2_real2sim_dataset/{f}": f.encode() for f in in_zip})
    files.content[_path(simpler_fetch.WIDOWX.url)] = zip_of({"ManiSkill-WidowX250S-0.2.0/wx250s.urdf": b"<robot/>",
                                                             "ManiSkill-WidowX250S-0.2.0/wx250s.srdf": b"<srdf/>"})
    monkeypatch.setattr(simpler_fetch, "WIDOWX", replace(simpler_fetch.WIDOWX, files=(
        ("wx250s.urdf", _blob(b"<robot/>")), ("wx250s.srdf", _blob(b"<srdf/>")))))
    files.content[_path(simpler_fetch.BRIDGE_ZIP.url)] = bridge
    monkeypatch.setattr(simpler_fetch, "BRIDGE_ZIP",
                        replace(simpler_fetch.BRIDGE_ZIP, sha256=hashlib.sha256(bridge).hexdigest()))
    real2sim = {"repo": "simpler-env/ManiSkill2_real2sim", "commit": "c0ffee" * 6 + "c0ff", "files": []}
    for dest, data in {**later, in_zip[0]: b"never fetched: the archive has it"}.items():
        real2sim["files"].append({"path": f"data/{dest}", "dest": dest, "git_blob": _blob(data), "bytes": None})
        files.content[f"/raw.githubusercontent.com/{real2sim['repo']}/{real2sim['commit']}/data/{dest}"] = data
    monkeypatch.setattr(simpler_fetch, "REAL2SIM", real2sim)
    monkeypatch.delenv("MS_ASSET_DIR", raising=False)
    return files, url, later


def test_fetch_simpler_bridge_then_real_stage_and_eggplant(hosted, tmp_path, monkeypatch, capsys):
    files, url, later = hosted
    monkeypatch.setenv("VLA_HARNESS_ASSETS", str(tmp_path / "cache"))
    stand_in_hash = protocol_hash(SimplerBridgeBenchmark(asset_dir=str(SHARED_DIR)).protocol(), {})
    assert main(["assets", "fetch", "simpler_bridge", "--mirror", url, "--no-progress"]) == 0
    raw = [p for m, p, _ in files.requests if m == "GET" and p.startswith("/raw.")]
    assert sorted(p.split("/data/", 1)[1] for p in raw) == sorted(later)  # only what the archive lacked
    out = capsys.readouterr().out
    assert "[ok] real Bridge table stage" in out and "missing" not in out
    bench = SimplerBridgeBenchmark()  # no option: the cache is found
    assert bench.assets.root == tmp_path / "cache" / "simpler_bridge"
    assert all(bench.missing(t) is None for t in range(len(TASKS)))  # eggplant included
    specs = bench.episodes(BenchSelection(tasks=(3,), trials=2), run_seed=0)
    assert [s.task_name for s in specs] == ["put_eggplant_in_basket"] * 2
    p = bench.protocol()
    digest = hashlib.sha256(REAL_STAGE).hexdigest()[:16]
    assert p.extra["stages"]["flat_table"] == f"real bridge_table_1_v1.glb sha256 {digest}"
    assert p.extra["stage_stand_in"] is False and "note" not in p.extra
    assert protocol_hash(p, {}) != stand_in_hash
    before = len(files.requests)
    assert main(["assets", "fetch", "simpler_bridge", "--mirror", url, "--no-progress"]) == 0
    assert len(files.requests) == before  # archives and files already there: nothing fetched again


def test_a_real2sim_file_that_does_not_match_its_git_blob_is_refused(hosted, tmp_path, capsys):
    files, url, later = hosted
    stage = next(f for f in later if f.endswith("v2.glb"))
    files.corrupt.add(f"/raw.githubusercontent.com/simpler-env/ManiSkill2_real2sim/{'c0ffee' * 6}c0ff/data/{stage}")
    cache = tmp_path / "cache"
    assert main(["assets", "--dir", str(cache), "fetch", "simpler_bridge", "--mirror", url, "--no-progress"]) == 2
    assert "is corrupt (git blob" in capsys.readouterr().err
    assert not (cache / "simpler_bridge" / "data" / BRIDGE / stage).exists()


def test_shared_folder_stage_is_named_as_the_stand_in_and_its_files_match_simplerenv():
    bench = SimplerBridgeBenchmark(asset_dir=str(SHARED_DIR))
    stages = bench.protocol().extra["stages"]
    assert stages == {"flat_table": "stand-in bridge_table_1_v1.glb sha256 e9b373efe99c16f5", "sink": "absent"}
    status = simpler_fetch._match_real2sim(bench.assets.data / BRIDGE)
    assert status.startswith("not fetched here; 20 of its 21 files")  # all but the stand-in stage


def test_assets_lists_what_is_missing_and_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VLA_HARNESS_ASSETS", str(tmp_path))
    assert main(["assets"]) == 0
    out = capsys.readouterr().out
    assert f"asset cache: {tmp_path}" in out
    assert "unlocks: 2,985 more variants: light: 1,142 variants, background: 1,014 variants, layout: 829" in out
    assert "get it: vla-harness assets fetch libero_plus" in out
    assert "unlocks: task 3 put_eggplant_in_basket: 24 episodes" in out
    assert "get it: vla-harness assets fetch simpler_bridge" in out
