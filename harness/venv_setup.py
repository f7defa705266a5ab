"""Create a simulator stack's own Python environment (harness/env_stack.py): a venv, its pinned requirements from the
package registry, local source trees installed without deps, and this project installed into it without deps (the
child process imports harness/ and the benchmark's env module from it)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from vla_harness.harness.errors import UserError


class SetupError(UserError):
    pass


def _run(cmd: list[str], what: str) -> None:
    print(f"{what}: {' '.join(cmd[:6])}{' ...' if len(cmd) > 6 else ''}", file=sys.stderr)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip() and "WARNING" not in line]
        raise SetupError(f"{what} failed (exit {done.returncode}): {' | '.join(lines[-4:])[:600]}")


def create_venv(venv: Path, python: str, requirements: Path, packages: list[Path], project: Path) -> Path:
    """The venv's interpreter, after installing what is not there yet (a stamp names the requirements' hash)."""
    interpreter = venv / "bin" / "python"
    if not interpreter.is_file():
        _run([python, "-m", "venv", str(venv)], "creating the environment")
    pip = [str(interpreter), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    stamp = venv / f".vla-harness-requirements.{digest}"
    if not stamp.is_file():
        _run(pip + ["-r", str(requirements)], "installing the pinned requirements")
        stamp.touch()
    for package in packages:
        _run(pip + ["--no-deps", "--force-reinstall", str(package)], f"installing {package.name}")
    _run(pip + ["--no-deps", "-e", str(project)], "installing vla-harness without deps")
    return interpreter
