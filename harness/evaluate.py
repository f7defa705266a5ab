"""Start, resume and execute runs: config -> protocol hash -> specs -> store -> runner."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harness.config import ConfigError, RunConfig
from harness.errors import UserError
from harness.manifest import build_manifest, protocol_hash
from harness.progress import RunProgress
from harness.protocols import BenchSelection
from harness.store import RunStore, finished_keys
from harness.types import EpisodeRecord, EpisodeSpec
from harness.targets import Targets, build
from harness.worker import RunJob


class ProtocolMismatch(UserError, RuntimeError):
    pass


@dataclass
class RunSummary:
    run_dir: Path
    planned: int
    executed: int
    records: list[EpisodeRecord]


def selection_of(cfg: RunConfig) -> BenchSelection:
    return BenchSelection(suites=tuple(cfg.suites) if cfg.suites else None,
                          tasks=tuple(int(t) for t in cfg.tasks) if cfg.tasks is not None else None,
                          trials=cfg.trials, max_steps=cfg.max_steps)


def _plan(cfg: RunConfig, targets: Targets) -> tuple[list[EpisodeSpec], str, object]:
    bench = build("benchmark", cfg.bench, targets.bench, cfg.bench_options)
    protocol = bench.protocol()
    specs = bench.episodes(selection_of(cfg), cfg.seed)
    if not specs:
        raise ConfigError(f"the selection matches no episodes of '{cfg.bench}' (suites={cfg.suites}, tasks={cfg.tasks})")
    phash = protocol_hash(protocol, {"bench": cfg.bench, "max_steps": cfg.max_steps, "bench_options": cfg.bench_options})
    return specs, phash, protocol


def start_run(cfg: RunConfig, targets: Targets) -> Path:
    """Create the run directory and manifest; nothing is executed yet."""
    cfg.validate()
    specs, phash, protocol = _plan(cfg, targets)
    run_id = cfg.name or f"{cfg.bench}-{cfg.policy}-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir = Path(cfg.out) / run_id
    RunStore(run_dir).create(build_manifest(run_id, cfg.to_dict(), protocol, phash, len(specs)))
    return run_dir


def execute(run_dir: Path, targets: Targets, progress: bool = True,
            runner_overrides: dict | None = None) -> RunSummary:
    """Run every episode of the run that has no finished record yet (fresh start and resume alike)."""
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    cfg = RunConfig.from_dict({**manifest["config"], **(runner_overrides or {})})
    specs, phash, _ = _plan(cfg, targets)
    if phash != manifest["protocol_hash"]:
        raise ProtocolMismatch(f"protocol hash of {run_dir} is {manifest['protocol_hash']} but this code gives "
                               f"{phash} for the same config; the benchmark protocol changed, start a new run")
    previous = store.records()
    done = finished_keys(previous)
    attempts = Counter(r.key for r in previous)
    work = [(s, attempts[s.key] + 1) for s in specs if s.key not in done]
    job = RunJob(run_id=manifest["run_id"], run_dir=str(run_dir), bench=cfg.bench, policy=cfg.policy,
                 bench_target=targets.bench, policy_target=targets.policy, bench_options=cfg.bench_options,
                 policy_options=cfg.policy_options, video=cfg.video)
    new_records: list[EpisodeRecord] = []
    label = f"{cfg.bench} × {cfg.policy}"
    try:
        with RunProgress(len(work), label, enabled=progress) as bar:
            def on_record(record: EpisodeRecord) -> None:
                store.append(record)  # on disk before anything else happens
                new_records.append(record)
                bar.update(record)

            _dispatch(cfg, job, work, on_record)
    finally:
        store.close()
    return RunSummary(Path(run_dir), len(specs), len(new_records), store.records())


def _dispatch(cfg: RunConfig, job: RunJob, work, on_record) -> None:
    if not work:
        return
    if cfg.runner == "ray":
        from harness.runners.ray_runner import RayOptions, run_ray

        opts = RayOptions(workers=cfg.workers, address=cfg.ray_address, episode_timeout_s=cfg.episode_timeout_s,
                          max_attempts=cfg.max_attempts)
        run_ray(job, work, on_record, opts)
    else:
        from harness.runners.local import run_local

        run_local(job, work, on_record)
