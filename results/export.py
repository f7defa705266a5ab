"""Every stored record (all attempts) as one flat pandas DataFrame; `used` marks the ones the tables count."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

from vla_harness.harness.errors import MissingDependency, blame_of
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import latest_by_key
from vla_harness.results.health import state_notes
from vla_harness.results.load import load_run


def flat_record(rec: EpisodeRecord) -> dict[str, Any]:
    s, p = rec.spec, (rec.spec.perturbation.to_dict() if rec.spec.perturbation else {})
    return {
        "run_id": rec.run_id, "key": rec.key, "bench": s.bench, "suite": s.suite, "task_id": s.task_id,
        "task_name": s.task_name, "instruction": s.instruction, "trial": s.trial, "seed": s.seed,
        "max_steps": s.max_steps, "init_state_index": s.init_state_index, "perturbation_id": s.perturbation_id,
        "dimension": p.get("dimension"), "level": p.get("level"), "difficulty": p.get("difficulty"),
        "variant_id": p.get("variant_id"), "perturbation_params": json.dumps(p.get("params")) if p else None,
        "success": rec.success, "steps": rec.steps, "error_kind": rec.error.kind if rec.error else None,
        "error_blame": blame_of(rec.error.kind).value if rec.error else None,
        "error_message": rec.error.message if rec.error else None, "attempt": rec.attempt, "worker": rec.worker,
        "wall_s": rec.time.wall_s, "sim_s": rec.time.sim_s, "render_s": rec.time.render_s,
        "policy_s": rec.time.policy_s, "overhead_s": rec.time.overhead_s, "env_child_s": rec.time.env_child_s,
        "env_wire_s": rec.time.env_wire_s, "video": rec.video,
        "metrics": json.dumps(rec.metrics, default=str), "finished_at": rec.finished_at,
    }


def records_frame(run_dirs: Sequence[str | Path]):
    """One row per stored attempt, with its run's directory, policy label and protocol hash."""
    import pandas as pd

    rows = []
    for run_dir in run_dirs:
        run = load_run(run_dir)
        for note in state_notes(run):
            print(f"note: {note}", file=sys.stderr)
        used = {id(r) for r in latest_by_key(run.records).values()}
        for rec in run.records:
            rows.append({"run_dir": str(run.path), "policy": run.label, "protocol_hash": run.protocol_hash,
                         **flat_record(rec), "used": id(rec) in used})
    frame = pd.DataFrame(rows)
    for col in ("level", "difficulty", "init_state_index"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    if "success" in frame:
        frame["success"] = frame["success"].astype("boolean")
    return frame


def write_frame(frame, path: Path, fmt: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
        return path
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise MissingDependency(f"Parquet export needs pyarrow ({exc}); `make install-python` installs it, or use "
                                "--format csv") from exc
    frame.to_parquet(path, index=False)
    return path
