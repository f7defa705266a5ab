"""`vla-harness record`: run a policy through the normal EpisodeWorker, a DemoRecorder watching, and keep episodes as
LIBERO-layout demos."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from vla_harness.harness.config import ConfigError
from vla_harness.harness.errors import is_final
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.targets import Targets
from vla_harness.harness.types import EpisodeRecord
from vla_harness.harness.worker import EpisodeWorker, RunJob, build_benchmark
from vla_harness.recording.capture import DemoRecorder
from vla_harness.recording.writer import append_log, write_demo

KEEP_MODES = ("success", "all")


@dataclass(frozen=True)
class RecordConfig:
    bench: str
    policy: str
    out: str
    tasks: tuple[int, ...] | None = None
    trials: int = 1
    first_trial: int = 0  # start at this init state: a later call extends a dataset with new init states
    size: int = 128
    frame_every: int = 1  # render frames only every k-th step (rendering is most of the cost)
    keep: str = "success"  # "all" keeps failures too (e.g. random-policy video for pre-training)
    seed: int = 7
    max_steps: int | None = None
    policy_options: dict = field(default_factory=dict)
    bench_options: dict = field(default_factory=dict)

    def validate(self) -> "RecordConfig":
        if self.keep not in KEEP_MODES:
            raise ConfigError(f"--keep must be one of {', '.join(KEEP_MODES)}, got '{self.keep}'")
        if not 8 <= self.size <= 512:
            raise ConfigError(f"--size must be between 8 and 512 pixels, got {self.size}")
        if self.frame_every < 1:
            raise ConfigError(f"--frame-every must be >= 1, got {self.frame_every}")
        if self.trials < 1 or self.first_trial < 0:
            raise ConfigError(f"--trials must be >= 1 and --first-trial >= 0, got {self.trials}, {self.first_trial}")
        return self


@dataclass
class RecordSummary:
    attempted: int = 0
    kept: int = 0
    successes: int = 0
    errors: int = 0
    steps_kept: int = 0
    wall_s: float = 0.0


def record(cfg: RecordConfig, targets: Targets,
           on_episode: Callable[[EpisodeRecord, bool], None] | None = None) -> RecordSummary:
    """Run every selected episode once; append kept ones to `cfg.out` as they finish."""
    cfg.validate()
    job = RunJob(run_id=Path(cfg.out).name, run_dir=str(cfg.out), bench=cfg.bench, policy=cfg.policy,
                 bench_target=targets.bench, policy_target=targets.policy, bench_options=cfg.bench_options,
                 policy_options=cfg.policy_options)
    bench = build_benchmark(job)
    selection = BenchSelection(tasks=cfg.tasks, trials=cfg.first_trial + cfg.trials, max_steps=cfg.max_steps)
    out = Path(cfg.out)
    done = logged(out)
    specs = [s for s in bench.episodes(selection, cfg.seed)
             if s.trial >= cfg.first_trial and (s.key, s.seed) not in done]
    worker, summary, t0 = EpisodeWorker(job, worker_id="record"), RecordSummary(), time.perf_counter()
    fps = worker.protocol.control_hz
    try:
        recorder = DemoRecorder(_two_cameras(cfg.bench, worker.protocol.cameras), cfg.size, worker.protocol,
                                cfg.frame_every)
        for spec in specs:
            rec = worker.run(spec, observers=(recorder,))
            buffer = recorder.buffer
            recorded = rec.error is None and len(buffer) > 0
            keep = recorded and (cfg.keep == "all" or bool(rec.success))
            demo = write_demo(out, spec, buffer, bool(rec.success), fps, cfg.policy)[1] if keep else None
            append_log(out, {**rec.to_dict(), "kept": keep, "demo": demo})
            _count(summary, rec, keep, buffer)
            if on_episode:
                on_episode(rec, keep)
    finally:
        worker.close()
        summary.wall_s = time.perf_counter() - t0
    return summary


def logged(out: Path) -> set[tuple[str, int]]:
    """(key, seed) of the episodes the dataset's log holds with a final outcome (success, failure or the policy's own
    error): a repeated or resumed call skips them (the same seed would record the same episode again); env and
    infrastructure errors are tried again."""
    path = Path(out) / "record_log.jsonl"
    if not path.is_file():
        return set()
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    final = [e for e in entries if e.get("error") is None or is_final(e["error"]["kind"])]
    return {(e["key"], int(e["spec"]["seed"])) for e in final}


def _two_cameras(bench: str, cameras: tuple[str, ...]) -> tuple[str, str]:
    if len(cameras) < 2:
        raise ConfigError(f"benchmark '{bench}' has cameras {cameras}; recording needs two (agentview and eye-in-hand)")
    return cameras[0], cameras[1]


def _count(summary: RecordSummary, rec: EpisodeRecord, keep: bool, buffer) -> None:
    summary.attempted += 1
    summary.successes += bool(rec.success)
    summary.errors += rec.error is not None
    if keep:
        summary.kept += 1
        summary.steps_kept += len(buffer)
