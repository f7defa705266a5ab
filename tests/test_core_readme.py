"""README's layout section names every top-level folder of the repository, and every folder it names exists."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _layout() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    name = ""
    for line in block.splitlines():
        if line[:1].strip():
            name, _, line = line.partition(" ")
            entries[name.rstrip("/")] = ""
        if name:
            entries[name.rstrip("/")] += " " + line
    return entries


def _tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {f.split("/")[0] for f in files if "/" in f}


def test_layout_names_every_top_level_folder():
    assert set(_layout()) == _tracked_folders()


def test_every_subfolder_the_layout_names_exists_and_every_family_is_named():
    for top, text in _layout().items():
        for sub in re.findall(r"\b(\w+)/", text):
            assert (ROOT / top / sub).is_dir() or (ROOT / sub).is_dir(), f"README layout: {top}/{sub} does not exist"
    families = {p.name for p in (ROOT / "benchmarks").iterdir() if (p / "__init__.py").exists()}
    assert families <= set(re.findall(r"\b(\w+)/", _layout()["benchmarks"]))
