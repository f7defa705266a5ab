"""Live progress: bar, ETA, running success rate and error count (rich)."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from vla_harness.harness.types import EpisodeRecord


class RunProgress:
    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.successes = self.failures = self.errors = 0
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[stats]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                  TimeRemainingColumn(), disable=not enabled, transient=False,
                                  refresh_per_second=2, redirect_stdout=False, redirect_stderr=False)
        self._task = self._progress.add_task(label, total=total, stats=self._stats())
        self._plain = enabled and not sys.stderr.isatty()

    def __enter__(self) -> "RunProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def update(self, record: EpisodeRecord) -> None:
        if record.error is not None:
            self.errors += 1
        elif record.success:
            self.successes += 1
        else:
            self.failures += 1
        self._progress.update(self._task, advance=1, stats=self._stats())
        if self._plain:
            status = "ERROR " + record.error.kind if record.error else ("success" if record.success else "fail")
            print(f"  {record.key}: {status} ({record.steps} steps, {record.time.wall_s:.1f}s) {self._stats()}",
                  file=sys.stderr, flush=True)

    def _stats(self) -> str:
        done = self.successes + self.failures
        rate = f"{100 * self.successes / done:.1f}%" if done else "-"
        return f"success {rate} ({self.successes}/{done}) errors {self.errors}"
