"""PNG plots (matplotlib, Agg): success per dimension with CI bars, success vs severity, success per task."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from vla_harness.results.aggregate import Cell, count, group, natural_key
from vla_harness.results.facts import facts_for
from vla_harness.results.load import Column, bench_label, families, scoped
from vla_harness.results.robustness import (
    at_level,
    bench_records,
    by_dimension,
    dimension,
    level,
    perturbed,
    robustness_benches,
    swept,
)
from vla_harness.results.tables import clip, slug


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rate_err(cells: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray]:
    """Rates in % and asymmetric Wilson error bars (NaN where a group has no episodes)."""
    rates = np.array([100 * c.rate for c in cells])
    lo = np.array([100 * (c.rate - c.ci[0]) if c.n else math.nan for c in cells])
    hi = np.array([100 * (c.ci[1] - c.rate) if c.n else math.nan for c in cells])
    return rates, np.clip(np.vstack([lo, hi]), 0, None)  # float noise at 0% / 100% must not go negative


def cell_text(cell: Cell) -> str:
    """What a bar says: its rate (0% too, whose bar has no height), or why there is no bar."""
    if cell.n:
        return f"{100 * cell.rate:.0f}%"
    if cell.skipped and not cell.errors:
        return "skipped"
    return "errors only" if cell.errors else "not run"


def _grouped_bars(ax, labels: list[str], series: dict[str, list[Cell]], horizontal: bool = False) -> None:
    width = 0.8 / max(1, len(series))
    pos = np.arange(len(labels))
    for i, (name, cells) in enumerate(series.items()):
        rates, err = _rate_err(cells)
        x = pos + (i - (len(series) - 1) / 2) * width
        drawn = np.nan_to_num(rates)
        if horizontal:
            bars = ax.barh(x, drawn, width, xerr=err, capsize=2, label=name)
        else:
            bars = ax.bar(x, drawn, width, yerr=err, capsize=3, label=name)
        colour = bars.patches[0].get_facecolor() if bars.patches else None
        for xi, cell in zip(x, cells):  # a 0% bar has no height and a group with no outcome no bar: say so
            end = 100 * cell.ci[1] + 1.5 if cell.n else 1.5
            ax.annotate(cell_text(cell), (end, xi) if horizontal else (xi, end), fontsize=6,
                        color=colour if cell.n else "grey", ha="left" if horizontal else "center",
                        va="center" if horizontal else "bottom")
    ticks = np.arange(0, 101, 20)
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 112)  # room for the text after a 100% bar
        ax.set_xticks(ticks)
        ax.set_xlabel("success rate (%), 95% Wilson CI")
    else:
        ax.set_xticks(pos, labels, rotation=20, ha="right")
        ax.set_ylim(0, 108)
        ax.set_yticks(ticks)
        ax.set_ylabel("success rate (%), 95% Wilson CI")
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: never hides a bar


def save(fig, path: Path) -> Path:
    """PNG for Markdown and the viewer, PDF (vector) beside it for LaTeX; returns the PNG."""
    fig.savefig(path, dpi=120, bbox_inches="tight")
    fig.savefig(path.with_suffix(".pdf"), bbox_inches="tight")
    return path


def plot_dimensions(columns: Sequence[Column], bench: str, path: Path) -> Path:
    plt = _pyplot()
    recs, facts = bench_records(columns, bench), facts_for(columns, bench)
    per = {label: by_dimension(rs, facts) for label, rs in recs.items()}
    dims = facts.order({d for cells in per.values() for d in cells})
    series = {label: [cells.get(d, Cell(0, 0, 0)) for d in dims] + [count(perturbed(recs[label]))]
              for label, cells in per.items()}
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * (len(dims) + 1) + 1), 4.2))
    _grouped_bars(ax, [*dims, "all (variant-weighted)"], series)
    ax.set_title(f"{bench}: success by perturbation dimension")
    fig.tight_layout()
    save(fig, path)
    plt.close(fig)
    return path


def _severity_panel(ax, columns: Sequence[Column], bench: str, dim: str | None) -> None:
    for i, col in enumerate(columns):
        recs = [r for r in swept(col.records) if r.spec.bench == bench]
        levels = {level(r) for r in recs} - {None}
        cells = {lv: c for lv in levels if (c := count(at_level(recs, dim, lv))).n}
        if not cells:
            continue
        xs = sorted(cells, key=natural_key)
        rates, err = _rate_err([cells[x] for x in xs])
        dodge = (i - (len(columns) - 1) / 2) * 0.08  # policies side by side, so their CI bars do not overlap
        ax.errorbar(np.array(xs, dtype=float) + dodge, rates, yerr=err, marker="o", capsize=3, label=col.label)
    ax.set_title(dim or "all dimensions", fontsize=10)
    ax.set_ylim(-3, 103)
    ax.grid(alpha=0.3)
    levels = sorted({lv for col in columns for r in swept(col.records) if r.spec.bench == bench
                     and (lv := level(r)) is not None})
    if levels:  # integer levels as ticks, with room either side: one level is a point in the middle, not an axis
        ax.set_xticks(levels)  # of 2.950, 2.975, ...
        ax.set_xlim(min(levels) - 0.5, max(levels) + 0.5)
    if not ax.lines:  # say why the panel is empty
        recs = [r for col in columns for r in swept(col.records) if r.spec.bench == bench and dimension(r) == dim]
        ax.text(0.5, 0.5, cell_text(count(recs)), transform=ax.transAxes, ha="center", va="center", color="grey")


def plot_severity(columns: Sequence[Column], bench: str, path: Path) -> Path:
    plt = _pyplot()
    facts = facts_for(columns, bench)
    dims = facts.order({dimension(r) for c in columns for r in perturbed(c.records) if r.spec.bench == bench})
    panels = [None, *dims]
    ncols = min(4, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.8 * nrows), squeeze=False, sharey=True)
    for ax, dim in zip(axes.flat, panels):
        _severity_panel(ax, columns, bench, dim)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("success (%)")
    for ax in axes[-1, :]:
        ax.set_xlabel(facts.level_name)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{bench}: success vs {facts.level_name} (95% Wilson CI)")
    fig.tight_layout()
    save(fig, path)
    plt.close(fig)
    return path


def plot_tasks(columns: Sequence[Column], path: Path, fam: str | None = None) -> Path:
    plt = _pyplot()
    key = lambda r: (bench_label(r), r.spec.suite, r.spec.task_id)  # noqa: E731
    pairs = scoped(columns, fam)
    per = {label: group(recs, key) for label, recs in pairs}
    keys = sorted({k for cells in per.values() for k in cells}, key=natural_key)
    names = {key(r): r.spec.task_name for _, recs in pairs for r in recs}
    labels = [f"{s} {t}: {clip(names[(b, s, t)], 48)}" for b, s, t in keys]
    series = {label: [cells.get(k, Cell(0, 0, 0)) for k in keys] for label, cells in per.items()}
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.3 * len(keys) * max(1, len(pairs)) ** 0.5 + 1.2)))
    _grouped_bars(ax, labels, series, horizontal=True)
    ax.set_title(f"success per task{f' ({fam})' if fam else ''}")
    fig.tight_layout()
    save(fig, path)
    plt.close(fig)
    return path


def make_plots(columns: Sequence[Column], out_dir: Path) -> list[Path]:
    """The PNG paths (a PDF of each lies beside it); file names are slugs: no spaces or parentheses."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fams = sorted(families(columns))
    paths = [plot_tasks(columns, out_dir / f"success_by_task_{slug(fam)}.png", fam) for fam in fams]
    for bench in robustness_benches(columns):
        paths.append(plot_dimensions(columns, bench, out_dir / f"{slug(bench)}_by_dimension.png"))
        if all(level(r) is None for c in columns for r in swept(c.records) if r.spec.bench == bench):
            continue  # no levels (LIBERO-PRO, LIBERO-Para): no severity curves
        level_name = facts_for(columns, bench).level_name
        paths.append(plot_severity(columns, bench, out_dir / f"{slug(bench)}_vs_{slug(level_name)}.png"))
    return paths
