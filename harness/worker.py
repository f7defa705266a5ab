"""EpisodeWorker: holds one policy and a warm env; runs episodes and returns small records.

Used in-process by the local runner and inside each Ray actor. Videos are written here (a VideoObserver of the
loop), to the run directory, so frames never travel through the driver or Ray.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from vla_harness import harness
from vla_harness.harness.convert import conform
from vla_harness.harness.episode import EpisodeObserver, EpisodeOutcome, run_episode
from vla_harness.harness.errors import kind_of
from vla_harness.harness.protocols import Benchmark, BenchProtocol, Env, Policy
from vla_harness.harness.targets import build
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec, ErrorInfo, PolicyRef, TimeSplit
from vla_harness.harness.video import VideoObserver
from vla_harness.harness.vision_probe import run_probed


@dataclass(frozen=True)
class RunJob:
    """Everything a worker needs, as plain picklable data."""

    run_id: str
    run_dir: str
    bench: str
    policy: str
    bench_target: str  # "module:attr", resolved from the registry name by the CLI
    policy_target: str
    bench_options: dict[str, Any] = field(default_factory=dict)
    policy_options: dict[str, Any] = field(default_factory=dict)
    video: str = "none"
    vision_probe: str = "none"  # harness/vision_probe.py: the camera input replaced (first_frame, other_episode)
    donors: dict[str, EpisodeSpec] = field(default_factory=dict)  # other_episode: key -> the episode it sees


def build_benchmark(job: RunJob) -> Benchmark:
    return build("benchmark", job.bench, job.bench_target, job.bench_options)


def build_policy(job: RunJob) -> Policy:
    return build("policy", job.policy, job.policy_target, job.policy_options)


class EpisodeWorker:
    def __init__(self, job: RunJob, worker_id: str | None = None, policy: Policy | None = None) -> None:
        self.job = job
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.benchmark = build_benchmark(job)
        self.protocol: BenchProtocol = self.benchmark.protocol()
        # conventions checked here, before any episode
        self.policy = conform(policy if policy is not None else build_policy(job), self.protocol)
        self._env: Env | None = None
        self._env_key: str | None = None
        self._policy_ref: PolicyRef | None = None
        self.video = None if job.video == "none" else VideoObserver(job.run_dir, job.video, self.protocol.cameras[0],
                                                                    self.protocol.control_hz)

    def env_for(self, spec: EpisodeSpec) -> Env:
        key = self.benchmark.env_key(spec)
        if key != self._env_key:
            self.close_env()  # one env at a time: a LIBERO env holds ~2 GiB
            self._env = self.benchmark.make_env(spec)
            self._env_key = key
        return self._env

    def run(self, spec: EpisodeSpec, attempt: int = 1, observers: Sequence[EpisodeObserver] = ()) -> EpisodeRecord:
        """One episode; `observers` (e.g. a dataset recorder) watch it besides the run's own video."""
        self._note_policy()
        t0 = time.perf_counter()
        try:
            env = self.env_for(spec)
        except Exception as exc:  # noqa: BLE001 - a broken env is a recorded error, not a crash
            return self._record(spec, self._env_failure(exc, t0), attempt, None)
        if self.video is not None:
            self.video.attempt = attempt
            observers = (self.video, *observers)
        if self.job.vision_probe == "none":
            outcome = run_episode(env, self.policy, spec, self.protocol, observers)
        else:
            try:
                outcome = run_probed(self.job.vision_probe, self.env_for, self.policy, spec,
                                     self.job.donors.get(spec.key), self.protocol, observers)
            except Exception as exc:  # noqa: BLE001 - the donor's env could not be built
                return self._record(spec, self._env_failure(exc, t0), attempt, None)
        if outcome.error is not None and outcome.error.kind == "env_error":
            self.close_env()  # do not reuse an env in an unknown state
        return self._record(spec, outcome, attempt, self.video.saved if self.video is not None else None)

    def _env_failure(self, exc: Exception, t0: float) -> EpisodeOutcome:
        self.close_env()
        kind = kind_of(exc, "env_error")
        split = TimeSplit(time.perf_counter() - t0, 0.0, 0.0, 0.0, time.perf_counter() - t0)
        return EpisodeOutcome(None, 0, ErrorInfo(kind, f"{type(exc).__name__}: {exc}"[:2000]), split)

    def _record(self, spec: EpisodeSpec, outcome: EpisodeOutcome, attempt: int, video: str | None) -> EpisodeRecord:
        return EpisodeRecord(schema_version=harness.SCHEMA_VERSION, run_id=self.job.run_id, key=spec.key, spec=spec,
                             success=outcome.success, steps=outcome.steps, error=outcome.error, attempt=attempt,
                             worker=self.worker_id, time=outcome.time, video=video, metrics=outcome.metrics,
                             finished_at=time.time(), policy=self._policy_ref,
                             actions_out_of_range=outcome.out_of_range)

    def _note_policy(self) -> None:
        """The policy's name, version and target, read once (a remote policy's spec comes from its server)."""
        if self._policy_ref is None:
            spec = self.policy.spec()
            self._policy_ref = PolicyRef(self.job.policy, spec.version, self.job.policy_target, spec.name,
                                         {str(k): str(v) for k, v in spec.identity.items()})

    def close_env(self) -> None:
        if self._env is not None:
            try:
                self._env.close()
            finally:
                self._env, self._env_key = None, None

    def close(self) -> None:
        self.close_env()
        self.policy.close()
