"""Shared plumbing for simple policies."""

from __future__ import annotations

from vla_harness.harness.conventions import LIBERO_GRIPPER, PolicyConventions
from vla_harness.harness.types import TaskInfo

# For policies that read no pixels (any orientation will do); -1 means open, mapped onto each benchmark's own
# gripper values by the worker.
PIXEL_FREE = PolicyConventions(orientation=None, gripper=LIBERO_GRIPPER)


class PolicyBase:
    """Default reset/close; subclasses define spec() and act()."""

    def reset(self, task: TaskInfo) -> None:
        self.task = task

    def close(self) -> None:
        pass
