"""Start, resume and execute runs: a RunPlan (harness/plan.py) -> store -> runner."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from vla_harness.harness import runlock
from vla_harness.harness.config import RunConfig
from vla_harness.harness.errors import UserError
from vla_harness.harness.manifest import build_manifest, differences
from vla_harness.harness.plan import RunPlan, plan_run
from vla_harness.harness.progress import RunProgress
from vla_harness.harness.protocols import StopRun
from vla_harness.harness.store import RunStore, finished_keys
from vla_harness.harness.targets import Targets
from vla_harness.harness.types import EpisodeRecord, PolicyRef
from vla_harness.harness.worker import RunJob


class ProtocolMismatch(UserError, RuntimeError):
    pass


@dataclass
class RunSummary:
    run_dir: Path
    planned: int
    executed: int
    records: list[EpisodeRecord]


def start_run(plan: RunPlan) -> Path:
    """Create the run directory and manifest; nothing is executed yet."""
    cfg = plan.config
    run_id = cfg.name or f"{cfg.bench}-{cfg.policy}-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir = Path(cfg.out) / run_id
    RunStore(run_dir).create(build_manifest(run_id, cfg.to_dict(), plan.protocol, plan.protocol_hash,
                                            len(plan.specs)))
    return run_dir


def resume(run_dir: Path, targets: Targets, progress: bool = True,
           runner_overrides: dict | None = None) -> RunSummary:
    """Re-plan a run from its manifest (runner fields may change) and execute what has no finished record."""
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    runlock.acquire(run_dir)  # before planning: a second writer is refused at once
    try:
        plan = plan_run(RunConfig.from_dict({**manifest["config"], **(runner_overrides or {})}), targets)
        check_protocol(run_dir, manifest, plan)
    except BaseException:
        runlock.release(run_dir)
        raise
    return execute(run_dir, plan, progress)


def check_protocol(run_dir: Path, manifest: dict, plan: RunPlan) -> None:
    """The stored protocol block, field by field, then its hash: ProtocolMismatch names the first difference."""
    diffs = differences({"protocol": manifest.get("protocol", {})}, {"protocol": dataclasses.asdict(plan.protocol)})
    if diffs:
        raise ProtocolMismatch(f"the benchmark protocol of {run_dir} changed since it was recorded: {diffs[0]}"
                               + (f" (and {len(diffs) - 1} more)" if len(diffs) > 1 else "")
                               + "; its numbers would not be comparable, start a new run")
    if plan.protocol_hash != manifest.get("protocol_hash"):
        raise ProtocolMismatch(f"protocol hash of {run_dir} is {manifest.get('protocol_hash')} but this code gives "
                               f"{plan.protocol_hash} for the same protocol block; the hashed fields changed, "
                               "start a new run")


def execute(run_dir: Path, plan: RunPlan, progress: bool = True) -> RunSummary:
    """Run every episode of the plan that has no finished record yet (fresh start and resume alike), as the run's
    only writer (its lock), with the manifest status written at each transition."""
    store = RunStore(run_dir)
    runlock.acquire(run_dir)
    status = "failed"
    try:
        store.set_status("running")
        summary = _execute(store, plan, progress)
        status = "finished"
        return summary
    except (StopRun, KeyboardInterrupt):
        status = "stopped"
        raise
    finally:
        try:
            store.set_status(status)
        except OSError:  # e.g. the disk is full: the status stays "running" and readers see no writer holds it
            pass
        runlock.release(run_dir)


def _execute(store: RunStore, plan: RunPlan, progress: bool) -> RunSummary:
    run_dir = store.dir
    cfg = plan.config
    previous = store.records()
    done = finished_keys(previous)
    attempts = Counter(r.key for r in previous)
    work = [(s, attempts[s.key] + 1) for s in plan.specs if s.key not in done]
    job = RunJob(run_id=store.read_manifest()["run_id"], run_dir=str(run_dir), bench=cfg.bench, policy=cfg.policy,
                 bench_target=plan.targets.bench, policy_target=plan.targets.policy,
                 bench_options=cfg.bench_options, policy_options=cfg.policy_options, video=cfg.video,
                 vision_probe=cfg.vision_probe, donors=dict(plan.donors))
    new_records: list[EpisodeRecord] = []
    try:
        with RunProgress(len(work), f"{cfg.bench} × {cfg.policy}", enabled=progress) as bar:
            def on_record(record: EpisodeRecord) -> None:
                record = _named(record, job, new_records)
                store.append(record)  # on disk before anything else happens
                new_records.append(record)
                bar.update(record)

            _dispatch(plan, job, work, on_record)
    finally:
        store.close()
    return RunSummary(Path(run_dir), len(plan.specs), len(new_records), store.records())


def _named(record: EpisodeRecord, job: RunJob, earlier: list[EpisodeRecord]) -> EpisodeRecord:
    """A record the driver wrote for a lost attempt (dead or stuck worker) still names the run's policy."""
    if record.policy is not None:
        return record
    version = next((r.policy.version for r in reversed(earlier) if r.policy is not None), None)
    return dataclasses.replace(record, policy=PolicyRef(job.policy, version, job.policy_target))


def _dispatch(plan: RunPlan, job: RunJob, work, on_record) -> None:
    if not work:
        return
    cfg = plan.config
    if cfg.runner == "ray":
        from vla_harness.harness.runners.ray_runner import RayOptions, run_ray

        opts = RayOptions(workers=cfg.workers, address=cfg.ray_address, episode_timeout_s=cfg.episode_timeout_s,
                          max_attempts=cfg.max_attempts, start_timeout_s=cfg.ray_start_timeout_s)
        run_ray(job, work, on_record, opts, plan.env_key)
    else:
        from vla_harness.harness.runners.local import run_local

        run_local(job, work, on_record, cfg.episode_timeout_s)
