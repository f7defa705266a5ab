"""A local runner that outlives one run: evaluating every N training steps pays env construction once.

The Python API's Evaluator keeps one of these. Between runs it keeps the episode thread (envs are made, used and
closed on one thread, as renderers want), the envs that thread made (by env key, for one benchmark configuration),
and the policy: an object the caller owns (never closed here) or one built from the run's target (built once per
target and options). Within a run it behaves like the local runner: plan order, a per-episode timeout, records
handed to the driver as they finish.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any, Callable

from vla_harness.harness.errors import StopRun
from vla_harness.harness.protocols import Benchmark, Env, Policy
from vla_harness.harness.runners.local import _CutPolicy, _EpisodeThread, _timed_out, no_fresh_policy
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec
from vla_harness.harness.worker import EpisodeWorker, RunJob, build_benchmark, build_policy


class EnvPool:
    """Warm envs of one benchmark configuration, by env key; used on the episode thread only."""

    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark
        self.envs: dict[str, Env] = {}
        self.built = 0  # env constructions so far: what a warm second run must not pay again

    def get(self, key: str, spec: EpisodeSpec) -> Env:
        if key not in self.envs:
            self.envs[key] = self.benchmark.make_env(spec)
            self.built += 1
        return self.envs[key]

    def discard(self, key: str) -> None:
        env = self.envs.pop(key, None)
        if env is not None:
            env.close()

    def close(self) -> None:
        for key in list(self.envs):
            self.discard(key)


class _PooledWorker(EpisodeWorker):
    """An EpisodeWorker whose envs come from the pool and stay there after the run."""

    def __init__(self, job: RunJob, pool: EnvPool, policy: Policy) -> None:
        super().__init__(job, worker_id="local", policy=policy)
        self.pool = pool

    def env_for(self, spec: EpisodeSpec) -> Env:
        self._env_key = self.benchmark.env_key(spec)
        self._env = self.pool.get(self._env_key, spec)
        return self._env

    def close_env(self) -> None:
        """The worker drops an env after an env error (unknown state): out of the pool too."""
        if self._env_key is not None:
            self.pool.discard(self._env_key)
        self._env, self._env_key = None, None


class _WatchedPolicy(_CutPolicy):
    """A cut-able handle that also knows whether the episode thread is inside one of the policy's calls: after a
    timeout, a policy stuck in its own call (which may hold its own locks) must not be handed the next episode."""

    def __init__(self, policy: Any) -> None:
        super().__init__(policy)
        self.inside = False

    def __getattr__(self, name: str) -> Any:
        value = super().__getattr__(name)
        if not callable(value):
            return value

        def watched(*args: Any, **kwargs: Any) -> Any:
            self.inside = True
            try:
                return value(*args, **kwargs)
            finally:
                self.inside = False

        return watched


def _identity(target: str, options: dict[str, Any]) -> str:
    return target + json.dumps(options, sort_keys=True, default=str)


class WarmRunner:
    """Call it as the `runner` of harness.evaluate.execute; close() when done (envs and an owned policy)."""

    def __init__(self, policy: Policy | None = None, timeout_s: float | None = None) -> None:
        self.given_policy = policy  # the caller's object: used as it is, never closed here
        self.timeout_s = timeout_s if timeout_s and timeout_s > 0 else None
        self.thread = _EpisodeThread()
        self.pool: EnvPool | None = None
        self._pool_id: str | None = None
        self._built_policy: Policy | None = None
        self._policy_id: str | None = None
        self.retired = 0  # envs built by pools closed or abandoned since

    @property
    def envs_built(self) -> int:
        """Env constructions so far, over every run."""
        return (self.pool.built if self.pool else 0) + self.retired

    def __call__(self, job: RunJob, work: list[tuple[EpisodeSpec, int]],
                 on_record: Callable[[EpisodeRecord], None]) -> None:
        pool, policy = self._pool_for(job), self._policy_for(job)
        handle = _WatchedPolicy(policy)
        worker = self._call(partial(_PooledWorker, job, pool, handle))
        for spec, attempt in work:
            try:
                record = self.thread.call(partial(worker.run, spec, attempt), self.timeout_s)
            except TimeoutError:
                on_record(_timed_out(job, spec, attempt, self.timeout_s))
                handle.cut = True
                self._abandon_thread()
                if handle.inside:
                    policy = self._replace_stuck_policy(job, spec)
                pool, handle = self._pool_for(job), _WatchedPolicy(policy)
                worker = self._call(partial(_PooledWorker, job, pool, handle))
                continue
            on_record(record)

    def _replace_stuck_policy(self, job: RunJob, spec: EpisodeSpec) -> Policy:
        """The timed-out episode is stuck inside the policy: a policy built here is abandoned (never closed: the stuck
        call may be inside it) and built anew; the caller's own object cannot be replaced, so the run stops."""
        if self.given_policy is not None:
            raise StopRun(f"episode {spec.key} timed out inside the given policy object, which the harness cannot "
                          "replace; the run stops (`resume` or a new evaluate call goes on with a working policy)")
        self._built_policy, self._policy_id = None, None
        try:
            return self._policy_for(job)
        except Exception as exc:  # noqa: BLE001 - said in one line: the run cannot go on without a policy
            raise no_fresh_policy(job, spec, exc) from exc

    def _call(self, fn: Callable[[], Any]) -> Any:
        return self.thread.call(fn, self.timeout_s)

    def _pool_for(self, job: RunJob) -> EnvPool:
        """The pool for this run's benchmark configuration; another configuration closes the old envs first."""
        identity = _identity(job.bench_target, job.bench_options)
        if self.pool is None or identity != self._pool_id:
            if self.pool is not None:
                self._call(self.pool.close)
                self.retired += self.pool.built
            self.pool = self._call(partial(EnvPool, build_benchmark(job)))
            self._pool_id = identity
        return self.pool

    def _policy_for(self, job: RunJob) -> Policy:
        if self.given_policy is not None:
            return self.given_policy
        identity = _identity(job.policy_target, job.policy_options)
        if self._built_policy is None or identity != self._policy_id:
            if self._built_policy is not None:
                self._built_policy.close()
            self._built_policy, self._policy_id = build_policy(job), identity
        return self._built_policy

    def _abandon_thread(self) -> None:
        """After a timeout the old thread may be stuck inside an env: its envs are dropped (never closed from another
        thread) and a new thread starts with a new pool."""
        self.thread.stop()
        self.thread = _EpisodeThread()
        if self.pool is not None:
            self.retired += self.pool.built
        self.pool, self._pool_id = None, None

    def close(self) -> None:
        try:
            if self.pool is not None and not self.thread.busy:
                self._call(self.pool.close)
        finally:
            self.thread.stop()
            self.retired += self.pool.built if self.pool is not None else 0
            self.pool = None
            if self._built_policy is not None:
                self._built_policy.close()
                self._built_policy = None
