"""The Ray runner's scheduler, on `ray.wait` (not `ray.util.ActorPool`: a dead actor must cost one attempt of one
episode, never stall the run).

Each slot is one warm worker actor with at most one episode in flight. The driver hands a finished record to
`on_record` (which puts it on disk) before it schedules anything else. A worker that dies is restarted by Ray
(`max_restarts`); a worker stuck past the episode timeout is killed and restarted here. Either way its episode is
re-queued with attempt + 1 until its attempts are used up, and then recorded as `worker_died` / `timeout`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from vla_harness.harness.errors import StopRun, UserError
from vla_harness.harness.runners.ray_queue import WorkItem, WorkQueue, failed_record
from vla_harness.harness.types import EpisodeRecord

log = logging.getLogger("vla_harness.ray")

STARTING, BACKOFF, IDLE, BUSY, RETIRED = "starting", "backoff", "idle", "busy", "retired"
PROBE_BACKOFF_S = 0.5  # a restarting actor answers "unavailable" at once: ask again after this
MAX_UNAVAILABLE = 240  # ~2 min of "restarting" answers in a row: give the slot up
MAX_REPLACEMENTS = 3  # fresh actors that died before answering, in a row: give the slot up
WAIT_NOTE_S = 60.0


class WorkerStartError(UserError, RuntimeError):
    """No worker could start (its constructor or Ray failed before any worker came up): one line, no traceback."""


class AllWorkersLost(UserError, RuntimeError):
    """Every worker was lost and none could be restarted: one line; the finished episodes are on disk."""


@dataclass
class Slot:
    index: int
    actor: Any
    name: str
    state: str = STARTING
    ref: Any = None
    item: WorkItem | None = None  # None while `ref` is a readiness probe
    started: float = 0.0
    probe_at: float = 0.0
    env_key: str | None = None  # the env this worker holds warm
    unavailable: int = 0
    replacements: int = 0


class RayScheduler:
    def __init__(self, run_id: str, queue: WorkQueue, on_record: Callable[[EpisodeRecord], None],
                 new_actor: Callable[[int], Any], workers: int, episode_timeout_s: float,
                 watch: Callable[[int, bool, int], None] | None = None) -> None:
        self.run_id, self.queue, self.on_record, self.new_actor = run_id, queue, on_record, new_actor
        self.watch = watch  # raises when no worker can be up any more (ray_capacity.CapacityWatch)
        self.timeout_s = float(episode_timeout_s)
        self.any_ready = False
        self.stopping: StopRun | None = None  # a worker asked to end the run: finish what is in flight, then raise
        self.slots = [Slot(i, new_actor(i), f"ray{i}") for i in range(workers)]
        for slot in self.slots:
            self._probe(slot)
        self._t0 = self._last_note = time.monotonic()

    def run(self) -> None:
        """Until every episode has a record: feed idle workers, wait for one result, handle it, enforce timeouts."""
        import ray

        while True:
            self._assign()
            busy = [s for s in self.slots if s.state == BUSY]
            if not busy and self.stopping is not None:
                raise self.stopping
            if not busy and not len(self.queue):
                return
            if all(s.state == RETIRED for s in self.slots):
                raise AllWorkersLost(f"all {len(self.slots)} Ray workers were lost and could not be restarted; "
                                     f"{len(self.queue)} episodes left (finished ones are on disk: resume the run)")
            now = time.monotonic()
            self._send_due_probes(now)
            refs = {s.ref: s for s in self.slots if s.ref is not None}
            if refs:
                done, _ = ray.wait(list(refs), num_returns=1, timeout=self._wait_s(now))
            else:
                time.sleep(self._wait_s(now))
                done = []
            for ref in done:
                self._on_done(refs[ref], ref)
            self._expire(time.monotonic())
            self._note_waiting()
            self._watch_capacity()

    def close(self) -> None:
        import ray

        for slot in self.slots:
            try:
                ray.kill(slot.actor, no_restart=True)
            except Exception:  # noqa: BLE001 - already gone
                pass

    # -- results -------------------------------------------------------------------------------------------------
    def _on_done(self, slot: Slot, ref: Any) -> None:
        import ray
        from ray.exceptions import RayActorError, RayError, RayTaskError

        item, slot.ref, slot.item = slot.item, None, None
        try:
            value = ray.get(ref)
        except RayActorError as exc:
            self._worker_lost(slot, item, exc)
            return
        except RayTaskError as exc:
            if item is None:  # the worker's constructor raised (bad option, missing checkpoint...)
                return self._start_failed(slot, exc)
            if isinstance(exc.cause, StopRun):  # the episode never started: it stays unrecorded, for `resume`
                slot.state, self.stopping = IDLE, self.stopping or exc.cause
                return
            # raised inside EpisodeWorker.run: the worker lives, the attempt is lost
            slot.state, slot.env_key = IDLE, None
            self._fail(slot, item, "worker_died", f"worker {slot.name} raised: {exc}")
            return
        except RayError as exc:  # out of memory, worker crashed, node died...: probe the actor before reusing it
            self._worker_lost(slot, item, exc)
            return
        slot.state = IDLE
        if item is None:
            slot.name, slot.unavailable, slot.replacements, self.any_ready = value, 0, 0, True
            return
        self.on_record(value)  # on disk before the next episode is scheduled

    def _worker_lost(self, slot: Slot, item: WorkItem | None, exc: Exception) -> None:
        from ray.exceptions import ActorDiedError

        slot.env_key = None
        if item is not None:
            self._fail(slot, item, "worker_died", f"Ray worker {slot.name} died during the episode: "
                       f"{_first_line(exc)}{_memory_hint()}")
        if not isinstance(exc, ActorDiedError):  # ActorUnavailableError: Ray is restarting it (max_restarts)
            slot.unavailable += item is None
            return self._backoff(slot) if slot.unavailable < MAX_UNAVAILABLE else self._retire(slot, exc)
        if getattr(exc, "actor_init_failed", False) and not self.any_ready:
            raise WorkerStartError(_start_message(exc))
        self._replace(slot, exc)  # permanently dead (Ray gave up on it): a fresh actor

    def _start_failed(self, slot: Slot, exc: Exception) -> None:
        """Before any worker is up this is the run's error, raised as the local runner would raise it."""
        if not self.any_ready:
            cause = getattr(exc, "cause", None)
            raise cause if isinstance(cause, Exception) else WorkerStartError(_start_message(exc))
        self._replace(slot, exc)

    def _replace(self, slot: Slot, exc: Exception) -> None:
        slot.replacements += 1
        if slot.replacements > MAX_REPLACEMENTS:
            return self._retire(slot, exc)
        log.warning("Ray worker %s cannot go on (%s); starting a replacement", slot.name, _first_line(exc))
        self._kill(slot)
        slot.actor = self.new_actor(slot.index)
        self._probe(slot)

    def _fail(self, slot: Slot, item: WorkItem, kind: str, message: str) -> None:
        spec, attempt = item
        if self.queue.retry(spec, attempt):
            log.warning("%s attempt %d lost (%s), re-queued: %s", spec.key, attempt, kind, message)
            return
        log.warning("%s attempt %d lost (%s), no attempts left: %s", spec.key, attempt, kind, message)
        wall = time.monotonic() - slot.started
        self.on_record(failed_record(self.run_id, spec, attempt, kind, message, slot.name, wall))

    # -- worker states -------------------------------------------------------------------------------------------
    def _assign(self) -> None:
        if self.stopping is not None:
            return
        for slot in self.slots:
            if slot.state != IDLE:
                continue
            held = {s.env_key for s in self.slots if s is not slot and s.env_key and s.state in (IDLE, BUSY)}
            item = self.queue.take(slot.env_key, held)
            if item is None:
                return
            slot.item, slot.state, slot.started = item, BUSY, time.monotonic()
            slot.env_key = self.queue.env_key(item[0])  # held from now on: others pick another task
            slot.ref = slot.actor.run.remote(*item)

    def _expire(self, now: float) -> None:
        for slot in self.slots:
            if slot.state == BUSY and now - slot.started > self.timeout_s:
                item, slot.ref, slot.item, slot.env_key = slot.item, None, None, None
                self._kill(slot, restart=True)
                self._fail(slot, item, "timeout", f"episode ran over {self.timeout_s:g}s on {slot.name}; "
                           "the worker was killed and restarted")
                self._backoff(slot, 2 * PROBE_BACKOFF_S)

    def _probe(self, slot: Slot) -> None:
        slot.state, slot.item, slot.ref = STARTING, None, slot.actor.ready.remote()

    def _backoff(self, slot: Slot, delay: float = PROBE_BACKOFF_S) -> None:
        slot.state, slot.probe_at = BACKOFF, time.monotonic() + delay

    def _send_due_probes(self, now: float) -> None:
        for slot in self.slots:
            if slot.state == BACKOFF and slot.probe_at <= now:
                self._probe(slot)

    def _retire(self, slot: Slot, exc: Exception) -> None:
        log.warning("Ray worker %s cannot be restarted, running on without it: %s", slot.name, _first_line(exc))
        self._kill(slot)
        slot.state, slot.ref = RETIRED, None

    def _kill(self, slot: Slot, restart: bool = False) -> None:
        import ray

        try:
            ray.kill(slot.actor, no_restart=not restart)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def _wait_s(self, now: float) -> float:
        marks = [s.started + self.timeout_s for s in self.slots if s.state == BUSY]
        marks += [s.probe_at for s in self.slots if s.state == BACKOFF]
        return min([1.0] + [max(0.01, m - now) for m in marks])

    def _watch_capacity(self) -> None:
        if self.watch is not None:
            live = sum(s.state in (IDLE, BUSY) for s in self.slots)
            self.watch(live, self.any_ready, len(self.queue) + sum(s.state == BUSY for s in self.slots))

    def _note_waiting(self) -> None:
        now = time.monotonic()
        if not self.any_ready and now - self._last_note > WAIT_NOTE_S:
            self._last_note = now
            log.warning("no Ray worker is up after %.0fs (each needs 1 CPU plus the simulator resource, if any); "
                        "check `ray status`", now - self._t0)


def _memory_hint() -> str:
    """Ray's memory monitor kills workers when the node is nearly full and says so only in raylet.out."""
    import psutil

    used = psutil.virtual_memory().percent
    if used < 85:
        return ""
    return (f" [the driver's machine is at {used:.0f}% memory: Ray's memory monitor kills workers above "
            "RAY_memory_usage_threshold=0.95; see raylet.out in Ray's session logs]")


def _start_message(exc: Exception) -> str:
    return (f"Ray worker could not start: {_first_line(exc)}; nothing ran (fix the cause, then start the run "
            "again, or `vla-harness resume RUN_DIR` if its directory was kept)")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
