"""`make` targets install only what changed (issue #27 item 6): scripts/install_python.sh leaves a stamp per step,
named by the hash of the files the step reads, and an installed checkout runs no pip at all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fake_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A venv whose python, pip and vla-harness only log how they were called (no network, nothing installed)."""
    venv, log = tmp_path / "venv", tmp_path / "calls.log"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "pip", "vla-harness"):
        tool = venv / "bin" / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        tool.chmod(0o755)
    return venv, log


def _install(venv: Path) -> None:
    subprocess.run(["bash", "scripts/install_python.sh"], cwd=ROOT, env={**os.environ, "VENV": str(venv)},
                   check=True, capture_output=True, timeout=60)


def test_second_install_runs_no_pip_and_a_changed_key_reruns_only_its_step(tmp_path):
    venv, log = _fake_venv(tmp_path)
    _install(venv)
    first = log.read_text().splitlines()
    assert "pip install -q -r requirements.txt" in first and "pip install -q --no-deps -e ." in first
    _install(venv)
    assert log.read_text().splitlines() == first  # installed: make eval is only the eval
    editable = next(venv.glob(".vla-harness-editable.*"))
    editable.rename(venv / ".vla-harness-editable.0000000000000000")  # as if setup.py or pyproject.toml changed
    _install(venv)
    again = log.read_text().splitlines()[len(first):]
    assert again == ["pip install -q --no-deps -e ."] and len(list(venv.glob(".vla-harness-editable.*"))) == 1
