"""Micro-batching: concurrent requests wait up to `max_wait_ms` (after the first one arrives) for company, up to
`max_batch`, then run as one batch in the single policy thread. The event loop never runs policy code, so it keeps
answering /healthz and new connections while a batch computes (or hangs)."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable


class PolicyThread:
    """One daemon thread that runs every policy call in order (a GPU model is never called concurrently).
    Daemon, so a policy stuck forever cannot keep the process alive at shutdown."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self.busy_since: float | None = None
        self._thread = threading.Thread(target=self._loop, name="policy", daemon=True)
        self._thread.start()

    def call(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((fn, args, loop, future))
        return future

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args, loop, future = job
            self.busy_since = time.monotonic()
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
                result, error = None, exc
            finally:
                self.busy_since = None
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:
                pass  # the loop is closed: the server is shutting down

    def stop(self) -> None:
        self._jobs.put(None)


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


@dataclass
class BatchStats:
    requests: int = 0
    batches: int = 0
    sizes: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        mean = self.requests / self.batches if self.batches else 0.0
        return {"requests": self.requests, "batches": self.batches, "mean_batch": round(mean, 3),
                "batch_sizes": {str(k): v for k, v in sorted(self.sizes.items())}}


@dataclass
class _Item:
    payload: Any
    future: asyncio.Future
    queued_at: float


class MicroBatcher:
    """`await submit(x)` returns (result, timing) where `run_batch(list_of_x)` gives one result per item."""

    def __init__(self, run_batch: Callable[[list], list], max_batch: int = 8, max_wait_ms: float = 5.0,
                 waiters: Callable[[], int] | None = None) -> None:
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError("max_batch must be >= 1 and max_wait_ms >= 0")
        self.run_batch, self.max_batch, self.max_wait_s = run_batch, int(max_batch), float(max_wait_ms) / 1000
        self.waiters = waiters  # how many requests could come at most (open connections): no point waiting for more
        self.thread = PolicyThread()
        self.stats = BatchStats()
        self._pending: deque[_Item] = deque()
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._inflight: list[_Item] = []
        self._last_end = 0.0
        self.closed = False

    def start(self) -> None:
        self._wakeup = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def submit(self, payload: Any) -> tuple[Any, dict[str, float]]:
        item = _Item(payload, asyncio.get_running_loop().create_future(), time.monotonic())
        self._pending.append(item)
        self._wakeup.set()
        return await item.future

    async def _run(self) -> None:
        while True:
            while not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            await self._gather()
            batch = [self._pending.popleft() for _ in range(min(self.max_batch, len(self._pending)))]
            batch = [item for item in batch if not item.future.done()]  # drop requests whose client left
            if batch:
                await self._execute(batch)

    async def _gather(self) -> None:
        """Wait until max_batch requests are pending (or every open connection has one pending: each connection
        has at most one request in flight) or max_wait has passed since the oldest one arrived, or since the last
        batch ended: the clients it just answered get max_wait to come back and join, instead of the clients
        falling into groups that alternate in smaller batches."""
        if self.max_batch == 1 or self.max_wait_s <= 0:
            return
        deadline = max(self._pending[0].queued_at, self._last_end) + self.max_wait_s
        while len(self._pending) < min(self.max_batch, self.waiters() if self.waiters else self.max_batch):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except asyncio.TimeoutError:
                return

    async def _execute(self, batch: list[_Item]) -> None:
        started = time.monotonic()
        self._inflight = batch
        try:
            results = await self.thread.call(self.run_batch, [item.payload for item in batch])
        except Exception as exc:  # noqa: BLE001 - run_batch itself failed: every request in it gets the error
            results = [exc] * len(batch)
        finally:
            self._inflight = []
        self._last_end = time.monotonic()
        infer_ms = (self._last_end - started) * 1000
        self.stats.requests += len(batch)
        self.stats.batches += 1
        self.stats.sizes[len(batch)] += 1
        for item, result in zip(batch, results):
            timing = {"infer_ms": infer_ms, "queue_ms": (started - item.queued_at) * 1000, "batch_size": len(batch)}
            if not item.future.done():
                item.future.set_result((result, timing))

    def busy_s(self) -> float:
        since = self.thread.busy_since
        return 0.0 if since is None else time.monotonic() - since

    async def close(self) -> None:
        """Cancel waiting and in-flight requests (their handlers return) and stop the policy thread."""
        if self.closed:
            return
        self.closed = True
        for item in [*self._pending, *self._inflight]:
            if not item.future.done():
                item.future.cancel()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        self.thread.stop()
