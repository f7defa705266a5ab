"""Run directory: manifest.json + append-only episodes.jsonl (one fsynced line per finished episode)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from harness.errors import UserError, is_final
from harness.schema import SchemaError, checked_manifest, record_from_dict
from harness.types import EpisodeRecord

MANIFEST = "manifest.json"
EPISODES = "episodes.jsonl"


class StoreError(UserError, RuntimeError):
    pass


def read_records(run_dir: Path) -> list[EpisodeRecord]:
    """All records in file order, upgraded to the current schema; a truncated last line (killed writer) is ignored."""
    path = Path(run_dir) / EPISODES
    if not path.exists():
        return []
    run_policy = _run_policy(Path(run_dir))
    records = []
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            records.append(record_from_dict(json.loads(line), run_policy, f"{path}:{i + 1}"))
        except SchemaError:
            raise
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if i == len(lines) - 1:
                continue  # torn final write
            raise StoreError(f"{path}:{i + 1}: unreadable record ({exc})") from exc
    return records


def _run_policy(run_dir: Path) -> str | None:
    """The run's policy name, for records written before records named it (schema 1)."""
    try:
        return json.loads((run_dir / MANIFEST).read_text())["config"]["policy"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


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

    def create(self, manifest: dict[str, Any]) -> None:
        if self.exists():
            raise StoreError(f"{self.dir} already holds a run; use `vla-harness resume {self.dir}` or another --out")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.write_manifest(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        os.replace(tmp, self.manifest_path)

    def read_manifest(self) -> dict[str, Any]:
        if not self.exists():
            raise StoreError(f"{self.dir} is not a run directory (no {MANIFEST})")
        return checked_manifest(json.loads(self.manifest_path.read_text()), str(self.manifest_path))

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
            self._file.close()
            self._file = None

    def _repair_tail(self) -> None:
        """Drop a torn last line (a writer killed mid-record): it was never a finished record."""
        path = self.dir / EPISODES
        if not path.exists() or path.stat().st_size == 0:
            return
        data = path.read_bytes()
        if not data.endswith(b"\n"):
            with open(path, "rb+") as f:
                f.truncate(data.rfind(b"\n") + 1)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)
