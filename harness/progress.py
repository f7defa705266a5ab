"""Live progress: a bar in a terminal; elsewhere (CI logs, `--no-progress`) a plain line every few episodes or seconds.

Both say the same: episodes done of planned, the success rate so far with its 95% Wilson interval, the policy's
faults, env/infra errors (re-run by `resume`) and skipped episodes apart, as the tables count them, and the ETA.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from vla_harness.harness.errors import Blame, blame_of
from vla_harness.harness.interval import wilson_interval
from vla_harness.harness.types import EpisodeRecord

PLAIN = "plain"  # progress=PLAIN: the plain lines even in a terminal (`--no-progress`); True: bar or lines; False: none
PLAIN_EVERY_S = 60.0  # a plain line at least this often while episodes finish
PLAIN_LINES = 10  # ... and at every tenth of the run


def clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Tally:
    """Outcomes so far, counted as the tables count them (harness/errors.py blames)."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()  # success, failure, policy, env, infra, skip

    def add(self, record: EpisodeRecord) -> None:
        if record.error is not None:
            self.outcomes[blame_of(record.error.kind).value] += 1
        else:
            self.outcomes["success" if record.success else "failure"] += 1

    @property
    def done(self) -> int:
        return sum(self.outcomes.values())

    def rate(self, with_ci: bool = True) -> str:
        o = self.outcomes
        wins, n = o["success"], o["success"] + o["failure"] + o[Blame.POLICY.value]  # policy faults are failures
        if not n:
            return "success -"
        text = f"success {100 * wins / n:.1f}% ({wins}/{n})"
        if with_ci:
            lo, hi = wilson_interval(wins, n)
            text += f" [{100 * lo:.1f}, {100 * hi:.1f}]"
        return text

    def errors(self) -> str:
        o = self.outcomes
        return (f"policy faults {o[Blame.POLICY.value]}, errors env {o[Blame.ENV.value]} infra {o[Blame.INFRA.value]}, "
                f"skipped {o[Blame.SKIP.value]}")


class RunProgress:
    def __init__(self, total: int, label: str, enabled: bool | str = True, stream: TextIO | None = None,
                 every_s: float = PLAIN_EVERY_S) -> None:
        self.total, self.label, self.tally = total, label, Tally()
        self.stream = stream or sys.stderr
        self._bar = enabled is True and self.stream.isatty()
        self._plain = bool(enabled) and not self._bar
        self._every_s, self._every_n = every_s, max(1, total // PLAIN_LINES)
        self._start = self._last = time.monotonic()
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[stats]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                  TimeRemainingColumn(), disable=not self._bar, transient=False,
                                  refresh_per_second=2, redirect_stdout=False, redirect_stderr=False,
                                  console=Console(file=self.stream))  # stdout stays for the tables
        self._task = self._progress.add_task(label, total=total, stats=self._stats())

    def __enter__(self) -> "RunProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()
        if self._plain and self.tally.done and self.tally.done % self._every_n:
            self._line()  # the last word of a plain log: where the run ended

    def update(self, record: EpisodeRecord) -> None:
        self.tally.add(record)
        self._progress.update(self._task, advance=1, stats=self._stats())
        now = time.monotonic()
        if self._plain and (self.tally.done % self._every_n == 0 or now - self._last >= self._every_s):
            self._line()

    def _stats(self) -> str:
        o = self.tally.outcomes
        errors = o[Blame.ENV.value] + o[Blame.INFRA.value]
        return (f"{self.tally.rate(with_ci=False)} faults {o[Blame.POLICY.value]} errors {errors} "
                f"skipped {o[Blame.SKIP.value]}")

    def _line(self) -> None:
        self._last = now = time.monotonic()
        done, elapsed = self.tally.done, now - self._start
        eta = clock(elapsed / done * (self.total - done)) if done else "-"
        print(f"[{self.label}] {done}/{self.total} episodes · {self.tally.rate()} · {self.tally.errors()} · "
              f"elapsed {clock(elapsed)} · ETA {eta}", file=self.stream, flush=True)
