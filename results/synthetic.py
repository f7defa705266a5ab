"""Synthetic runs written through the real run store: for the results tests and for trying `report`/`compare`.

`python -m results.synthetic OUT_DIR` writes four demo runs (clearly named synthetic-*): two policies on a
LIBERO-Plus-shaped benchmark, and a baseline and a worse candidate on libero_spatial. Their numbers are random draws,
not measurements.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from vla_harness import harness
from vla_harness.harness import runlock
from vla_harness.harness.config import RunConfig
from vla_harness.harness.manifest import build_manifest, protocol_hash
from vla_harness.harness.protocols import BenchProtocol
from vla_harness.harness.store import RunStore
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec, ErrorInfo, Perturbation, PolicyRef, TimeSplit


def record(run_id: str, bench: str, suite: str, task_id: int, trial: int, success: bool | None, *,
           error: str | None = None, perturbation: dict[str, Any] | Perturbation | None = None, attempt: int = 1,
           task_name: str | None = None, finished_at: float = 0.0, metrics: dict | None = None) -> EpisodeRecord:
    """One stored episode; `error` is an error kind ("policy_error", "skipped", ...) and makes success None."""
    spec = EpisodeSpec(bench=bench, suite=suite, task_id=task_id, task_name=task_name or f"task_{task_id}",
                       instruction=f"do task {task_id}", trial=trial, seed=1000 * task_id + trial, max_steps=100,
                       init_state_index=trial, perturbation=_typed(perturbation))
    err = ErrorInfo(error, f"synthetic {error}") if error else None
    return EpisodeRecord(schema_version=harness.SCHEMA_VERSION, run_id=run_id, key=spec.key, spec=spec,
                         success=None if err else success, steps=50, error=err, attempt=attempt, worker="synthetic",
                         time=TimeSplit(1.0, 0.5, 0.3, 0.1, 0.1), metrics=metrics or {},
                         finished_at=finished_at, policy=PolicyRef("synthetic", "0", None))


def _typed(perturbation: dict[str, Any] | Perturbation | None) -> Perturbation | None:
    return Perturbation.from_dict(perturbation) if isinstance(perturbation, dict) else perturbation


REPORT_FACTS = {"libero_plus": "vla_harness.benchmarks.libero_plus.catalog",
                "libero_pro": "vla_harness.benchmarks.libero_pro.report",
                "libero_para": "vla_harness.benchmarks.libero_para.report"}


def protocol_of(bench: str, max_steps: int = 100) -> BenchProtocol:
    """A protocol like the benchmark's; a run shaped like one of REPORT_FACTS's benchmarks states its real facts."""
    import importlib

    report = importlib.import_module(REPORT_FACTS[bench]).REPORT_FACTS if bench in REPORT_FACTS else {}
    return BenchProtocol(name=bench, settle_steps=10, settle_action=(0.0,) * 6 + (-1.0,), action_dim=7,
                         control_hz=20.0, max_steps=max_steps, trials_per_task=50, cameras=("agentview",),
                         source=f"synthetic test protocol ({bench})", report=report)


def write_run(parent: Path, name: str, records: Iterable[EpisodeRecord], *, bench: str, policy: str = "random",
              checkpoint: str | None = None, max_steps: int | None = None, bench_options: dict | None = None) -> Path:
    """A run directory (manifest + episodes.jsonl) as `vla-harness eval` would leave it."""
    options = {"checkpoint": checkpoint} if checkpoint else {}
    bench_options = bench_options or {}
    cfg = RunConfig(bench=bench, policy=policy, max_steps=max_steps, policy_options=options, out=str(parent), name=name,
                    bench_options=bench_options)
    protocol = protocol_of(bench, max_steps or 100)
    phash = protocol_hash(protocol, {"bench": bench, "max_steps": max_steps, "bench_options": bench_options})
    records = list(records)
    store = RunStore(Path(parent) / name)
    store.create(build_manifest(name, cfg.to_dict(), protocol, phash, len(records)))
    for rec in records:
        store.append(rec)
    store.close()
    store.set_status("finished")
    runlock.release(store.dir)
    return store.dir


def bernoulli_runs(rng: np.random.Generator, run_id: str, bench: str, rates: dict[int, float], trials: int,
                   suite: str | None = None) -> list[EpisodeRecord]:
    """Unperturbed episodes: task -> success probability."""
    return [record(run_id, bench, suite or bench, t, i, bool(rng.random() < p)) for t, p in rates.items()
            for i in range(trials)]


def libero_plus_records(rng: np.random.Generator, run_id: str, skill: float, variants_per_cell: int = 4,
                        dimensions: Iterable[str] | None = None) -> list[EpisodeRecord]:
    """One episode per variant: success falls with difficulty; dimension i is a bit harder than i-1 (all of
    LIBERO-Plus's dimensions unless named)."""
    from vla_harness.benchmarks.libero_plus.catalog import DIMENSIONS

    out = []
    for d_i, dim in enumerate(dimensions or DIMENSIONS):
        for difficulty in range(1, 6):
            for v in range(variants_per_cell):
                p = max(0.02, skill - 0.12 * (difficulty - 1) - 0.03 * d_i)
                pert = {"dimension": dim, "difficulty": difficulty, "level": None,
                        "variant_id": f"{dim}-{difficulty}-{v}", "params": {}}
                out.append(record(run_id, "libero_plus", "libero_spatial", v % 10, 0, bool(rng.random() < p),
                                  perturbation=pert))
    return out


def demo(out: Path) -> list[Path]:
    rng = np.random.default_rng(0)
    runs = []
    for name, skill in (("synthetic-libero_plus-policyA", 0.9), ("synthetic-libero_plus-policyB", 0.7)):
        runs.append(write_run(out, name, libero_plus_records(rng, name, skill, 6), bench="libero_plus",
                              policy=name.split("-")[-1]))
    base = {t: 0.8 for t in range(10)}
    cand = {t: 0.65 for t in range(10)}
    for name, rates, ckpt in (("synthetic-spatial-base", base, "base.pt"), ("synthetic-spatial-cand", cand, "cand.pt")):
        runs.append(write_run(out, name, bernoulli_runs(rng, name, "libero_spatial", rates, 20),
                              bench="libero_spatial", policy="vla_jepa", checkpoint=ckpt))
    return runs


if __name__ == "__main__":
    for path in demo(Path(sys.argv[1] if len(sys.argv) > 1 else "runs")):
        print(path)
