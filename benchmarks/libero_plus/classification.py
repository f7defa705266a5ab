"""The official LIBERO-Plus difficulty (1-5, None for some light variants) of every variant, shipped with the harness.

`classification.json` beside this file is derived from the official `task_classification.json` (its source, commit
and sha256 are in its "source" entry): per suite, one character per variant in official order, the category as a digit
(index into "categories") and the difficulty as a digit ("-": none). A user-supplied copy of the official file
(`-B classification=PATH` or $LIBERO_PLUS_CLASSIFICATION) is used only if its sha256 is the official one.

Regenerate: `python -m benchmarks.libero_plus.classification PATH/task_classification.json > classification.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).with_name("classification.json")
CLASSIFICATION_ENV = "LIBERO_PLUS_CLASSIFICATION"
OFFICIAL_SHA256 = "faa87cce3e3ba434da01df7c77523a391b5f2912e4774330b0aa1be5f6a999e6"
SOURCE = {"repo": "sylvestf/LIBERO-plus", "commit": "4976dc3",
          "path": "libero/libero/benchmark/task_classification.json", "sha256": OFFICIAL_SHA256, "bytes": 1994795,
          "paper": "arXiv 2510.13626"}
CATEGORIES = ("Camera Viewpoints", "Robot Initial States", "Language Instructions", "Light Conditions",
              "Background Textures", "Sensor Noise", "Objects Layout")
NO_DIFFICULTY = "-"


@dataclass(frozen=True)
class Classification:
    """Per suite, the official category and difficulty of each variant, indexed like the official suite list."""

    categories: dict[str, tuple[str, ...]]
    difficulties: dict[str, tuple[int | None, ...]]
    sha256: str  # of the official file it reproduces

    def difficulty(self, suite: str, index: int) -> int | None:
        return self.difficulties[suite][index]

    def describe(self) -> str:
        return f"official task_classification.json, {SOURCE['repo']}@{SOURCE['commit']} (sha256 {self.sha256[:16]})"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def derive(raw: dict) -> dict:
    """The compact shipped table from the official file's content (entries must be in id order 1..n)."""
    suites = {}
    for suite, entries in raw.items():
        if [e["id"] for e in entries] != list(range(1, len(entries) + 1)):
            raise ValueError(f"{suite}: ids are not 1..{len(entries)} in order")
        suites[suite] = {
            "category": "".join(str(CATEGORIES.index(e["category"])) for e in entries),
            "difficulty": "".join(NO_DIFFICULTY if e["difficulty_level"] is None else str(int(e["difficulty_level"]))
                                  for e in entries)}
    return {"about": "Official LIBERO-Plus category and difficulty_level per variant, in the order of the official "
                     "suite lists; derived by benchmarks/libero_plus/classification.py (one digit per variant; "
                     f"'{NO_DIFFICULTY}' = no difficulty in the official file). Cite the paper where used.",
            "source": SOURCE, "categories": list(CATEGORIES), "suites": suites}


def _parse(table: dict) -> Classification:
    cats = table["categories"]
    return Classification(
        categories={s: tuple(cats[int(c)] for c in t["category"]) for s, t in table["suites"].items()},
        difficulties={s: tuple(None if d == NO_DIFFICULTY else int(d) for d in t["difficulty"])
                      for s, t in table["suites"].items()},
        sha256=table["source"]["sha256"])


@lru_cache(maxsize=None)
def shipped() -> Classification:
    return _parse(json.loads(SHIPPED.read_text()))


@lru_cache(maxsize=None)
def from_file(path: str) -> Classification:
    """A user's copy of the official file, after checking it is byte-identical to the official one."""
    from vla_harness.harness.config import ConfigError

    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"LIBERO-Plus classification file not found: {path}")
    got = sha256_of(file)
    if got != OFFICIAL_SHA256:
        raise ConfigError(f"{path} is not the official LIBERO-Plus task_classification.json "
                          f"({SOURCE['repo']}@{SOURCE['commit']}): sha256 {got[:16]}..., expected "
                          f"{OFFICIAL_SHA256[:16]}...; leave the option out to use the copy shipped with the harness")
    return _parse(derive(json.loads(file.read_text())))


def load(option: str | None = None) -> Classification:
    """The option's file, else $LIBERO_PLUS_CLASSIFICATION, else the shipped table."""
    chosen = option or os.environ.get(CLASSIFICATION_ENV)
    return from_file(chosen) if chosen else shipped()


if __name__ == "__main__":
    official = Path(sys.argv[1])
    if sha256_of(official) != OFFICIAL_SHA256:
        sys.exit(f"{official}: not the official file (sha256 differs from {OFFICIAL_SHA256})")
    print(json.dumps(derive(json.loads(official.read_text())), indent=1))
