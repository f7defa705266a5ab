"""How many simulator workers the Ray cluster can host, and when waiting for more stops being worth it.

A worker needs 1 CPU plus the family's resource (e.g. sim_libero) when the cluster offers one. A run asks for
`--workers N`; extra workers wait for room. If no worker can be up at all (no node offers a slot any more, or none
came up within `start_timeout_s`) the run stops with one line: finished episodes are on disk, `resume` goes on.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from vla_harness.harness.errors import UserError

log = logging.getLogger("vla_harness.ray")
CHECK_EVERY_S = 1.0


class NoSimulatorCapacity(UserError):
    """No Ray worker can run: no node offers the simulator slot, or none came up in time."""


def slot_shape(resource: str | None) -> str:
    return f"1 CPU + 1 {resource}" if resource else "1 CPU"


def simulator_slots(resource: str | None) -> int:
    """Workers the live nodes could host at once (their totals, not what is free now)."""
    import ray

    slots = 0
    for node in ray.nodes():
        if not node.get("Alive"):
            continue
        have = node.get("Resources", {})
        cpus = math.floor(have.get("CPU", 0))
        slots += min(cpus, math.floor(have.get(resource, 0))) if resource else cpus
    return slots


def note_capacity(workers: int, resource: str | None, start_timeout_s: float) -> None:
    slots = simulator_slots(resource)
    if workers > slots:
        log.warning("--workers %d, but the cluster's live nodes have room for %d worker(s) of %s; the others wait for "
                    "room (the run stops if none is up after %.0fs)", workers, slots, slot_shape(resource),
                    start_timeout_s)


@dataclass
class CapacityWatch:
    """Called by the scheduler on every turn; raises NoSimulatorCapacity when waiting cannot help any more."""

    resource: str | None
    start_timeout_s: float
    started: float = field(default_factory=time.monotonic)
    last_check: float = 0.0

    def __call__(self, live_workers: int, any_ready: bool, episodes_left: int) -> None:
        now = time.monotonic()
        if live_workers or now - self.last_check < CHECK_EVERY_S:
            return
        self.last_check = now
        left = (f"{episodes_left} episode(s) left; every finished one is on disk: `vla-harness resume RUN_DIR` "
                "once the cluster has room")
        if any_ready and simulator_slots(self.resource) == 0:
            raise NoSimulatorCapacity(f"every Ray worker was lost and no live node offers {slot_shape(self.resource)} "
                                      f"any more (node gone?); {left}")
        if not any_ready and now - self.started > self.start_timeout_s:
            raise NoSimulatorCapacity(f"no Ray worker came up within {self.start_timeout_s:.0f}s (each needs "
                                      f"{slot_shape(self.resource)}; live nodes have room for "
                                      f"{simulator_slots(self.resource)}; see `ray status`); {left}")
