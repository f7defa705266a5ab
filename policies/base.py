"""Shared plumbing for simple policies."""

from __future__ import annotations

from harness.types import TaskInfo


class PolicyBase:
    """Default reset/close; subclasses define spec() and act()."""

    def reset(self, task: TaskInfo) -> None:
        self.task = task

    def close(self) -> None:
        pass
