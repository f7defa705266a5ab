"""Paper tables a benchmark declares in its protocol's report block (`report["paper_table"]`, which every manifest
holds): results/ builds them from that declaration alone, with no table written here for any benchmark.

The declaration: `title`; `groups`, [suite, header] pairs shown side by side (e.g. SimplerEnv's visual matching and
variant aggregation); `columns`, [metric, header, [task names]] (a column is the unweighted mean of its tasks' success
rates, as SimplerEnv averages its coke-can orientations and its open/close drawers); `average`, the header of the mean
of a group's columns. Metrics are "<suite>/<column>", "<suite>/<task>" or "<suite>/average" in results/published.csv;
a published row's missing column or average is computed from the same row's tasks or columns (marked †).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import group
from vla_harness.results.robustness import dimension_mean
from vla_harness.results.tables import Value


@dataclass(frozen=True)
class Column:
    metric: str
    header: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class Declared:
    bench: str
    title: str
    groups: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    average: str

    @staticmethod
    def of(bench: str, block: dict[str, Any]) -> "Declared":
        columns = tuple(Column(m, h, tuple(t)) for m, h, t in block["columns"])
        return Declared(bench, block["title"], tuple((s, h) for s, h in block["groups"]), columns,
                        block.get("average", "Average"))

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(f"{s}/{m}" for s, _ in self.groups for m in (*(c.metric for c in self.columns), "average"))

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(f"{g}: {h}" for _, g in self.groups for h in (*(c.header for c in self.columns), self.average))

    def measure(self, recs: list[EpisodeRecord]) -> dict[str, Value]:
        cells = group(recs, lambda r: (r.spec.suite, r.spec.task_name))
        out: dict[str, Value] = {}
        for suite, _ in self.groups:
            values = {}
            for c in self.columns:
                parts = {t: cells.get((suite, t)) for t in c.tasks}
                if all(p is not None and p.n for p in parts.values()):
                    values[c.metric] = parts[c.tasks[0]] if len(c.tasks) == 1 else dimension_mean(parts)
            out.update({f"{suite}/{m}": v for m, v in values.items()})
            if len(values) == len(self.columns):
                out[f"{suite}/average"] = dimension_mean(values)
        return out

    def derive(self, row: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for suite, _ in self.groups:
            have = {**{k: v for k, v in row.items() if k.startswith(f"{suite}/")}}
            for c in self.columns:
                key, tasks = f"{suite}/{c.metric}", [f"{suite}/{t}" for t in c.tasks]
                if key not in have and all(t in have for t in tasks):
                    have[key] = out[key] = sum(have[t] for t in tasks) / len(tasks)
            cols = [f"{suite}/{c.metric}" for c in self.columns]
            if f"{suite}/average" not in have and all(k in have for k in cols):
                out[f"{suite}/average"] = sum(have[k] for k in cols) / len(cols)
        return out


def declared_tables(columns: Sequence[Any]) -> list[Declared]:
    """One declaration per benchmark, from the first run of it whose manifest's report block has one."""
    found: dict[str, Declared] = {}
    for column in columns:
        for run in column.runs:
            block = (run.manifest.protocol.get("report") or {}).get("paper_table")
            if block and run.bench not in found:
                found[run.bench] = Declared.of(run.bench, block)
    return list(found.values())
