"""In-process runner: one EpisodeWorker, episodes in order (grouped by env so envs are reused), each within
`timeout_s`.

Episodes run on one long-lived episode thread (envs are made, used and closed there only, as renderers want) while
this thread watches the clock. An episode past its time is recorded as `timeout` (infrastructure: `resume` re-runs
it) and abandoned: its env is dropped without close (it may be stuck inside), its policy handle is cut so a late
return cannot drive the policy again, and the next episode gets a new thread, a new worker, a new env and a fresh
policy instance (the stuck call may hold the old one's locks: reusing it would time out every later episode). If no
fresh policy can be built, the run stops with one line. A thread stuck in native code cannot be killed: it idles until
the process exits, holding what it holds (the Ray runner isolates episodes in processes).
"""

from __future__ import annotations

import queue
import threading
from functools import partial
from typing import Any, Callable

from vla_harness.harness.errors import EpisodeTimeout
from vla_harness.harness.protocols import StopRun
from vla_harness.harness.runners.ray_queue import failed_record
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec
from vla_harness.harness.worker import EpisodeWorker, RunJob, build_policy


class _CutPolicy:
    """The policy as one episode thread sees it; once cut (its episode timed out) every call raises."""

    def __init__(self, policy: Any) -> None:
        self._policy, self.cut = policy, False

    def __getattr__(self, name: str) -> Any:
        if self.cut:
            raise EpisodeTimeout("this episode timed out and was abandoned")
        return getattr(self._policy, name)

    def close(self) -> None:  # the runner closes the real policy, once
        pass


class _EpisodeThread:
    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._results: queue.Queue = queue.Queue()
        self.busy = False  # a call was handed over and has not come back (timed out, or the watcher was interrupted)
        threading.Thread(target=self._loop, name="episode", daemon=True).start()

    def _loop(self) -> None:
        while (fn := self._jobs.get()) is not None:
            try:
                self._results.put((True, fn()))
            except BaseException as exc:  # noqa: BLE001 - handed to the watching thread, which re-raises it
                self._results.put((False, exc))

    def call(self, fn: Callable[[], Any], timeout_s: float | None) -> Any:
        """fn() on the episode thread; TimeoutError if it has not returned within timeout_s."""
        self.busy = True
        self._jobs.put(fn)
        try:
            ok, value = self._results.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError from None
        self.busy = False
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        self._jobs.put(None)


class _Lane:
    """One policy instance, its cut-able handle, an episode thread and a worker: replaced whole after a timeout."""

    def __init__(self, job: RunJob) -> None:
        self.policy = build_policy(job)
        self.handle = _CutPolicy(self.policy)
        try:
            self.worker = EpisodeWorker(job, worker_id="local", policy=self.handle)
        except BaseException:
            self.policy.close()
            raise
        self.thread = _EpisodeThread()
        self.abandoned = False

    def abandon(self) -> None:
        """Leave a lane whose episode is stuck: its thread ends once (if ever) the stuck call returns; its env and
        policy are never closed (the stuck call may be inside them)."""
        self.handle.cut, self.abandoned = True, True
        self.thread.stop()

    def close(self, timeout_s: float | None) -> None:
        if self.abandoned:
            return
        try:
            if not self.thread.busy:  # never close an env a stuck call may be inside
                self.thread.call(self.worker.close_env, timeout_s)
        finally:
            self.thread.stop()
            self.policy.close()


def no_fresh_policy(job: RunJob, spec: EpisodeSpec, exc: Exception) -> StopRun:
    """The one-line stop when a timed-out episode's policy cannot be replaced (local and warm runners)."""
    return StopRun(f"episode {spec.key} timed out and a fresh '{job.policy}' policy could not be built "
                   f"({type(exc).__name__}: {exc}); the run stops, `vla-harness resume` goes on")


def _fresh_lane(job: RunJob, spec: EpisodeSpec) -> _Lane:
    try:
        return _Lane(job)
    except Exception as exc:  # noqa: BLE001 - said in one line: the run cannot go on without a policy
        raise no_fresh_policy(job, spec, exc) from exc


def run_local(job: RunJob, work: list[tuple[EpisodeSpec, int]], on_record: Callable[[EpisodeRecord], None],
              timeout_s: float | None = None) -> None:
    timeout_s = timeout_s if timeout_s and timeout_s > 0 else None
    lane = _Lane(job)
    try:
        for spec, attempt in work:
            try:
                record = lane.thread.call(partial(lane.worker.run, spec, attempt), timeout_s)
            except TimeoutError:
                on_record(_timed_out(job, spec, attempt, timeout_s))
                lane.abandon()
                lane = _fresh_lane(job, spec)
                continue
            on_record(record)
    finally:
        lane.close(timeout_s)


def _timed_out(job: RunJob, spec: EpisodeSpec, attempt: int, timeout_s: float) -> EpisodeRecord:
    message = f"episode ran over {timeout_s:g}s in the local runner; abandoned, its env and policy replaced"
    return failed_record(job.run_id, spec, attempt, EpisodeTimeout.kind, message, "local", timeout_s)
