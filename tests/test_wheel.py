"""The wheel, not the checkout: built, installed (not editable) into a scratch venv that reuses this environment's
dependencies, and run from a folder that holds a training repository's own `policies/` and `results/` packages."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

THEIRS = "THEIRS = True\n"  # the training repository's own packages, named like two of our rooms


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT), "-w",
                    str(out)], check=True, capture_output=True, text=True)
    return next(out.glob("vla_harness-*.whl"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, wheel) -> Path:
    """A venv of the same interpreter with no pip, seeing this environment's site-packages through a .pth line (a
    plain path: the .pth files there, such as our editable install's finder, are not run), the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
                    str(wheel)], check=True, capture_output=True, text=True)
    return venv


def test_the_wheel_holds_every_room_and_its_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/")[0] for n in names}
    assert tops == {"vla_harness", wheel.name.split("-py3")[0] + ".dist-info"}  # nothing generic at the top
    for path in ("results/published.csv", "results/view/assets/index.html", "results/view/assets/app.js",
                 "results/view/assets/style.css", "benchmarks/libero_plus/classification.json",
                 "checkpoints/vla_jepa_v2_s1/model.safetensors", "checkpoints/vla_jepa_v2_s1/config.json",
                 "harness/worker.py", "cli/main.py", "api.py"):
        assert f"vla_harness/{path}" in names, path


def _run(venv: Path, cwd: Path, *args: str) -> str:
    done = subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_installed_wheel_evaluates_beside_a_repository_with_its_own_policies_and_results(scratch, tmp_path):
    for package in ("policies", "results"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(THEIRS)
    out = _run(scratch, tmp_path, "vla-harness", "eval", "--bench", "fake", "--policy", "random", "--tasks", "0,1",
               "--trials", "2", "--out", "runs", "--name", "cli", "--no-progress")
    assert "4 episodes executed" in out and (tmp_path / "runs" / "cli" / "episodes.jsonl").read_text().count("\n") == 4
    code = ("import json, policies, results, vla_harness\n"
            "from vla_harness.policies.vla_jepa.checkpoint import DEFAULT\n"
            "r = vla_harness.evaluate('zero', 'fake', tasks=[0], trials=2, out='runs', name='api')\n"
            "print(json.dumps({'theirs': [policies.THEIRS, results.THEIRS], 'package': vla_harness.__file__,\n"
            "                  'n': r.success.n, 'checkpoint': (DEFAULT / 'model.safetensors').is_file()}))\n")
    seen = json.loads(_run(scratch, tmp_path, "python", "-c", code).strip().splitlines()[-1])
    assert seen["theirs"] == [True, True] and seen["n"] == 2 and seen["checkpoint"]
    assert str(scratch) in seen["package"] and str(ROOT) not in seen["package"]
    _run(scratch, tmp_path, "python", "-m", "vla_harness", "report", "runs/cli", "runs/api")
    _run(scratch, tmp_path, "vla-harness", "view", "runs/cli", "--out", "site")
    assert (tmp_path / "site" / "index.html").is_file()
