"""The success table printed at the end of every `vla-harness eval`: per task and per suite, Wilson CIs, errors apart."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from harness.types import EpisodeRecord
from results.load import Column, RunData
from results.report import suite_table, task_table
from results.tables import to_text


def summary_table(records: Iterable[EpisodeRecord], fmt: str = "github") -> str:
    column = Column("this run", [RunData(Path("."), {}, list(records))])
    if not column.records:
        return "no episodes recorded"
    return "\n".join(to_text(t, fmt) for t in (task_table([column]), suite_table([column])))
