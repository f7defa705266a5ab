"""The one reader of a stored run: `open_run(path)` gives its typed manifest, its valid records and what was skipped.

`report`, `check`, `view`, `compare`, `export` and `resume` read runs through it (readers never take the run's lock).
Every record line is judged by the schema module (harness/schema.py): a line that does not parse, or whose fields do
not fit their types, is skipped with a warning naming `file:line`, and `check` / `report --strict` fail on it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from vla_harness.harness.manifest import RunManifest
from vla_harness.harness.store import EPISODES, RunStore, scan_records
from vla_harness.harness.types import EpisodeRecord


@dataclass(frozen=True)
class StoredRun:
    path: Path
    manifest: RunManifest
    records: tuple[EpisodeRecord, ...]  # every valid stored attempt, in file order
    bad_lines: tuple[tuple[int, str], ...] = ()  # (1-based line, why) skipped in the middle of episodes.jsonl
    torn_tail: tuple[int, str] | None = None  # an unfinished last line (a killed writer)
    warnings: tuple[str, ...] = ()  # one per skipped line, naming file:line

    def hash_problem(self) -> str | None:
        """Why the stored protocol cannot be trusted, if its block no longer gives its hash (someone edited it)."""
        if self.manifest.protocol_hash is None or self.manifest.stored_hash_matches():
            return None
        return (f"{self.path}: the protocol block in its manifest does not match its protocol hash "
                f"{self.manifest.protocol_hash} (edited after the run was recorded?): its numbers cannot be compared "
                "by protocol, and `vla-harness resume` refuses it")


def open_run(path: str | Path, warn: bool = True) -> StoredRun:
    """The run at `path`, read without its lock; `warn` prints each skipped line's warning on stderr."""
    store = RunStore(Path(path))
    manifest = store.manifest()
    scan = scan_records(store.dir, manifest)
    warnings = tuple(scan.warnings(store.dir / EPISODES))
    if warn:
        for line in warnings:
            print(f"warning: {line}", file=sys.stderr)
    return StoredRun(Path(path), manifest, tuple(scan.records), tuple(scan.bad_lines), scan.torn_tail, warnings)
