"""Start, resume and execute runs: a RunPlan (harness/plan.py) -> store -> runner."""

from __future__ import annotations

import dataclasses
import itertools
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from vla_harness.harness import runlock
from vla_harness.harness.config import RunConfig
from vla_harness.harness.errors import ProtocolMismatch, StopRun
from vla_harness.harness.manifest import RunManifest, build_manifest, differences, hashed_part
from vla_harness.harness.plan import RunPlan, plan_run
from vla_harness.harness.progress import RunProgress
from vla_harness.harness.runs import open_run
from vla_harness.harness.secrets import restore
from vla_harness.harness.store import RunStore, StoreError, finished_keys
from vla_harness.harness.targets import Targets
from vla_harness.harness.types import EpisodeRecord, PolicyRef
from vla_harness.harness.worker import RunJob

# Executes (spec, attempt) work items, handing each record to the callback; None: the config's runner (local/ray).
# The Python API passes one that keeps its envs warm between runs (harness/runners/warm.py).
Runner = Callable[[RunJob, list, Callable[[EpisodeRecord], None]], None]


@dataclass
class RunSummary:
    run_dir: Path
    executed: int
    records: list[EpisodeRecord]
    manifest: RunManifest | None = None


def start_run(plan: RunPlan) -> Path:
    """Create the run directory and manifest; nothing is executed yet."""
    return _create(plan)[0]


def evaluate_new(plan: RunPlan, progress: bool | str = True, announce=None, runner: Runner | None = None) -> RunSummary:
    """Create the run and execute it. A run that fails before its first record is removed again, but only what this
    call created (the manifest, the lock, the directory if it made it): never a folder or file it did not write."""
    run_dir, made = _create(plan)
    if announce is not None:
        announce(run_dir)
    try:
        return execute(run_dir, plan, progress, runner)
    except Exception:
        if RunStore(run_dir).discard_unstarted(made):
            print(f"removed {run_dir}: the run failed before its first episode", file=sys.stderr)
        raise


def _create(plan: RunPlan) -> tuple[Path, bool]:
    cfg = plan.config
    for run_id in _run_ids(cfg):
        run_dir = Path(cfg.out) / run_id
        manifest = build_manifest(run_id, cfg.to_dict(), plan.protocol, plan.protocol_hash, len(plan.specs))
        try:
            return run_dir, RunStore(run_dir).create(manifest, new_dir=not cfg.name)
        except StoreError:
            if cfg.name or not run_dir.is_dir():  # a default name another run took first: try the next one
                raise
    raise AssertionError("unreachable: _run_ids never ends")


def _run_ids(cfg: RunConfig):
    """The user's --name, or bench-policy-time with -2, -3, ... when a run started in the same second has it."""
    if cfg.name:
        yield cfg.name
        return
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{cfg.bench}-{cfg.policy}-{time.strftime('%Y%m%d-%H%M%S')}")
    yield base
    yield from (f"{base}-{i}" for i in itertools.count(2))


def resume(run_dir: Path, targets: Targets | Callable[[RunManifest], Targets], progress: bool | str = True,
           runner_overrides: dict | None = None, secrets: dict[str, dict] | None = None) -> RunSummary:
    """Re-plan a run from its manifest (runner fields may change) and execute what has no finished record.
    `targets`: the run's, or how to find them from its manifest (the CLI resolves its bench and policy names);
    `secrets`: the options the manifest stored redacted, given again (block -> options)."""
    manifest = open_run(run_dir, warn=False).manifest
    config = restore(manifest.config, secrets or {}, str(run_dir))
    targets = targets(manifest) if callable(targets) else targets
    runlock.acquire(run_dir)  # before planning: a second writer is refused at once
    try:
        plan = plan_run(RunConfig.from_dict({**config, **(runner_overrides or {})}), targets)
        check_protocol(run_dir, manifest, plan)
    except BaseException:
        runlock.release(run_dir)
        raise
    return execute(run_dir, plan, progress)


def check_protocol(run_dir: Path, manifest: RunManifest, plan: RunPlan) -> None:
    """The stored protocol block's hashed fields one by one, then its hash: ProtocolMismatch names the first
    difference (report labels and declarations may change: they change no number)."""
    diffs = differences({"protocol": hashed_part(manifest.protocol)},
                        {"protocol": hashed_part(dataclasses.asdict(plan.protocol))})
    if diffs:
        raise ProtocolMismatch(f"the benchmark protocol of {run_dir} changed since it was recorded: {diffs[0]}"
                               + (f" (and {len(diffs) - 1} more)" if len(diffs) > 1 else "")
                               + "; its numbers would not be comparable, start a new run")
    if plan.protocol_hash != manifest.protocol_hash:
        raise ProtocolMismatch(f"protocol hash of {run_dir} is {manifest.protocol_hash} but this code gives "
                               f"{plan.protocol_hash} for the same protocol block; the hashed fields changed, "
                               "start a new run")


def execute(run_dir: Path, plan: RunPlan, progress: bool | str = True, runner: Runner | None = None) -> RunSummary:
    """Run every episode of the plan that has no finished record yet (fresh start and resume alike), as the run's
    only writer (its lock), with the manifest status written at each transition."""
    store = RunStore(run_dir)
    runlock.acquire(run_dir)
    status = "failed"
    try:
        store.set_status("running")
        summary = _execute(store, plan, progress, runner)
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


def _execute(store: RunStore, plan: RunPlan, progress: bool | str, runner: Runner | None) -> RunSummary:
    run_dir = store.dir
    cfg = plan.config
    previous = store.records()
    done = finished_keys(previous)
    attempts = Counter(r.key for r in previous)
    work = [(s, attempts[s.key] + 1) for s in plan.specs if s.key not in done]
    if previous:
        print(f"resume: {len(work)} of {len(plan.specs)} episodes to run ({len(plan.specs) - len(work)} already have "
              "a final record)", file=sys.stderr)
    manifest = store.manifest()
    job = RunJob(run_id=manifest.run_id or run_dir.name, run_dir=str(run_dir), bench=cfg.bench, policy=cfg.policy,
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

            if runner is not None and work:
                runner(job, work, on_record)
            else:
                _dispatch(plan, job, work, on_record)
    finally:
        store.close()
    return RunSummary(Path(run_dir), len(new_records), store.records(), manifest)


def _named(record: EpisodeRecord, job: RunJob, earlier: list[EpisodeRecord]) -> EpisodeRecord:
    """A record the driver wrote for a lost attempt (dead or stuck worker) still names the run's policy."""
    if record.policy is not None:
        return record
    known = next((r.policy for r in reversed(earlier) if r.policy is not None), None)
    return dataclasses.replace(record, policy=known or PolicyRef(job.policy, None, job.policy_target))


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
