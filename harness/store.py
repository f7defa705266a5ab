"""Run directory: manifest.json + append-only episodes.jsonl (one fsynced line per finished episode) + run.lock.

A record line is valid only if it parses and ends with a newline. Readers skip anything else with a warning that names
the line (never silently); the writer, on opening the file, moves a torn or garbage tail aside to
episodes.jsonl.corrupt (never deleted) before appending, so a killed writer never blocks the next one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from vla_harness.harness import runlock
from vla_harness.harness.errors import UserError, is_final
from vla_harness.harness.manifest import RunManifest
from vla_harness.harness.schema import SchemaError, manifest_from_dict, record_from_dict
from vla_harness.harness.types import EpisodeRecord

MANIFEST = "manifest.json"
EPISODES = "episodes.jsonl"
CORRUPT = "episodes.jsonl.corrupt"
MANIFEST_TMP = "manifest.tmp"
STATUSES = ("running", "finished", "stopped", "failed")


class StoreError(UserError, RuntimeError):
    pass


@dataclass
class Scan:
    """What episodes.jsonl holds: the valid records, and every line that is not one (1-based line numbers)."""

    records: list[EpisodeRecord] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # in the middle: skipped by readers
    torn_tail: tuple[int, str] | None = None  # the last line, unfinished or unreadable: a killed writer

    def warnings(self, path: Path) -> list[str]:
        out = [f"{path}:{n}: unreadable record skipped ({why}); `vla-harness check` fails on it"
               for n, why in self.bad_lines]
        if self.torn_tail:
            out.append(f"{path}:{self.torn_tail[0]}: torn last line ignored ({self.torn_tail[1]}); the next "
                       f"`vla-harness resume` moves it to {CORRUPT}")
        return out


def scan_records(run_dir: Path, manifest: RunManifest | None = None) -> Scan:
    """Every line of episodes.jsonl judged: valid records in file order (upgraded to the current schema, their field
    types checked), bad middle lines, a torn tail. A record newer than this code is a SchemaError, not a bad line.
    `manifest`: the run's, when the caller has read it (old records take the run's policy name from it)."""
    path = Path(run_dir) / EPISODES
    scan = Scan()
    if not path.exists():
        return scan
    run_policy = manifest.policy if manifest is not None else _run_policy(Path(run_dir))
    lines = path.read_bytes().split(b"\n")  # the last item is b"" exactly when the file ends with a newline
    last = len(lines) - 1 if lines[-1] else len(lines) - 2
    for i, line in enumerate(lines[: last + 1]):
        if not line.strip():
            continue
        try:
            if i == len(lines) - 1:
                raise ValueError("no newline at the end: the write was cut off")
            scan.records.append(record_from_dict(json.loads(line), run_policy, f"{path}:{i + 1}"))
        except SchemaError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            why = str(exc)[:120]
            if i == last:
                scan.torn_tail = (i + 1, why)
            else:
                scan.bad_lines.append((i + 1, why))
    return scan


def _run_policy(run_dir: Path) -> str | None:
    """The run's policy name, for records written before records named it (schema 1)."""
    try:
        return RunStore(run_dir).manifest().policy
    except UserError:
        return None


def read_records(run_dir: Path, warn: bool = True) -> list[EpisodeRecord]:
    """All valid records in file order; bad lines are skipped, each with a warning on stderr."""
    scan = scan_records(run_dir)
    if warn:
        for line in scan.warnings(Path(run_dir) / EPISODES):
            print(f"warning: {line}", file=sys.stderr)
    return scan.records


def finished_keys(records: Iterable[EpisodeRecord]) -> set[str]:
    """Keys that need no re-run: a record without error, a policy fault (a failure) or a permanent skip."""
    return {r.key for r in records if r.error is None or is_final(r.error.kind)}


class RunStore:
    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self._file = None

    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def create(self, manifest: dict[str, Any], new_dir: bool = False) -> bool:
        """Create the run under its lock (kept: the creator is the run's writer); two creators never both succeed.
        Returns whether this call made the directory: only then may a run that never started remove it.
        `new_dir`: refuse a directory that exists already (a default name is claimed by the mkdir itself)."""
        made = _make_dir(self.dir)
        if new_dir and not made:
            raise StoreError(f"{self.dir} exists already")
        held = runlock.holds(self.dir)
        runlock.acquire(self.dir)
        if self.exists():
            if not held:
                runlock.release(self.dir)
            raise StoreError(f"{self.dir} already holds a run; use `vla-harness resume {self.dir}` or another --name")
        self.write_manifest({**manifest, **_status("running")})
        return made

    def discard_unstarted(self, made: bool) -> bool:
        """Remove a run that failed before its first record: only the run's own files, and the directory only if
        `made` (this process created it) and nothing else is in it. False when records exist or a writer took over."""
        try:
            runlock.acquire(self.dir)
        except runlock.RunLocked:
            return False
        try:
            if self.records() or _has_lines(self.dir / EPISODES):
                return False
            for name in (MANIFEST, MANIFEST_TMP, EPISODES, runlock.LOCK):
                (self.dir / name).unlink(missing_ok=True)
        finally:
            runlock.release(self.dir)
        if made:
            for folder in (self.dir / "videos", self.dir):
                try:
                    folder.rmdir()  # only when empty: a file someone else put there keeps the folder
                except OSError:
                    pass
        return True

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.dir / MANIFEST_TMP
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(manifest, indent=2, sort_keys=True, default=str))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)

    def manifest(self) -> RunManifest:
        """The stored manifest, typed and checked (harness/schema.py); readers use this (or harness.runs.open_run)."""
        return manifest_from_dict(self._load_manifest(), str(self.manifest_path))

    def read_manifest(self) -> dict[str, Any]:
        """The stored manifest as a dict, for its writer to rewrite (status); checked as readers check it."""
        manifest = self._load_manifest()
        manifest_from_dict(manifest, str(self.manifest_path))
        return manifest

    def _load_manifest(self) -> Any:
        if not self.exists():
            raise StoreError(f"{self.dir} is not a run directory (no {MANIFEST})")
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.manifest_path} is unreadable ({exc}); the records in {EPISODES} are untouched: "
                             "restore the manifest (e.g. from a copy of the run) to use them") from exc
        return manifest

    def set_status(self, status: str) -> None:
        """Write the run's status (running, finished, stopped, failed) into the manifest; the writer only."""
        assert status in STATUSES, status
        self.write_manifest({**self.read_manifest(), **_status(status)})

    def records(self) -> list[EpisodeRecord]:
        return read_records(self.dir)

    def append(self, record: EpisodeRecord) -> None:
        if self._file is None:
            self._repair_tail()
            self._file = open(self.dir / EPISODES, "a", encoding="utf-8")
        self._file.write(json.dumps(record.to_dict(), default=_json_default) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None

    def _repair_tail(self) -> None:
        """Move a torn or garbage tail (a writer killed mid-record) to episodes.jsonl.corrupt: it was never a
        finished record, and appending after it would bury it in the middle."""
        path = self.dir / EPISODES
        scan = scan_records(self.dir)
        if scan.torn_tail is None:
            return
        data = path.read_bytes()
        cut = _line_offset(data, scan.torn_tail[0])
        with open(self.dir / CORRUPT, "ab") as f:
            f.write(data[cut:].rstrip(b"\n") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        with open(path, "rb+") as f:
            f.truncate(cut)
            os.fsync(f.fileno())
        print(f"warning: {path}:{scan.torn_tail[0]}: torn last line ({len(data) - cut} bytes) moved to "
              f"{self.dir / CORRUPT}", file=sys.stderr)


def _make_dir(run_dir: Path) -> bool:
    """mkdir the run directory (parents too); refuse a --out that is a file and a folder that is not a run.
    Returns whether this call created the run directory itself."""
    try:
        run_dir.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StoreError(f"--out {run_dir.parent} is a file (or a part of it is), not a folder") from None
    try:
        run_dir.mkdir()
        return True
    except FileExistsError:
        if not run_dir.is_dir():
            raise StoreError(f"{run_dir} is a file, not a run directory; pick another --name or --out") from None
    except NotADirectoryError:
        raise StoreError(f"cannot create {run_dir}: a part of --out is a file, not a folder") from None
    foreign = sorted(p.name for p in run_dir.iterdir() if p.name not in (runlock.LOCK, MANIFEST_TMP))
    if foreign and MANIFEST not in foreign:
        raise StoreError(f"{run_dir} is not empty and is not a run directory (it holds {', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); pick another --name or --out")
    return False


def _has_lines(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _line_offset(data: bytes, line_no: int) -> int:
    """Byte offset where 1-based line `line_no` starts."""
    offset = 0
    for _ in range(line_no - 1):
        offset = data.index(b"\n", offset) + 1
    return offset


def _status(status: str) -> dict[str, Any]:
    return {"status": status, "status_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)
