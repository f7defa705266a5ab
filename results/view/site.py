"""Write the viewer: DIR/index.html, DIR/assets/{app.js,style.css}, DIR/data.js (all numbers), DIR/plots/*.png,
DIR/videos/run<i>/*.mp4 (copied or linked). Nothing on the page loads from the network."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from vla_harness.harness.config import ConfigError
from vla_harness.harness.store import EPISODES, MANIFEST
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.load import RunData, check_protocols, load_columns
from vla_harness.results.report import build_tables
from vla_harness.results.view.episodes import columnar, run_rows
from vla_harness.results.view.overview import run_overview, table_json
from vla_harness.results.view.pairs import comparisons, side_by_side

ASSETS = Path(__file__).parent / "assets"
VIDEO_MODES = ("copy", "link", "none")
MARKER = ".vla-harness-view"  # in every site written here: a folder without it is not ours to overwrite


@dataclass
class ViewOptions:
    labels: Sequence[str] | None = None
    published: Path | None = None
    allow_protocol_mismatch: bool = False
    plots: bool = True
    videos: str = "copy"


def ordered_runs(columns, paths: Sequence[str | Path]) -> tuple[list[RunData], list[str]]:
    """The runs in the order they were given, with the column label each one got."""
    placed = [(run, col.label) for col in columns for run in col.runs]
    placed.sort(key=lambda rl: [Path(p) for p in paths].index(rl[0].path))
    return [run for run, _ in placed], [label for _, label in placed]


def own_video(run: RunData, video: str) -> Path | None:
    """The run's video file a record names, only if it lies inside the run's own videos/ folder (links resolved):
    a record naming `../../etc/passwd` or `/etc/hostname` gets nothing copied or linked."""
    folder = (run.path / "videos").resolve()
    src = (run.path / video).resolve()
    if not src.is_relative_to(folder) or not src.is_file():
        return None
    return src


def video_placer(run: RunData, i: int, out: Path, mode: str) -> Callable[[EpisodeRecord], str | None]:
    """Puts an episode's video under out/videos/run<i>/ and returns its path relative to out (None: no video)."""
    def place(rec: EpisodeRecord) -> str | None:
        if mode == "none" or not rec.video:
            return None
        src = own_video(run, rec.video)
        if src is None:
            if not (run.path / rec.video).is_file():
                return None  # a video not written (or deleted since): nothing to show
            print(f"warning: {run.path}: record {rec.key} names video {rec.video!r}, outside the run's videos/ "
                  "folder: not copied or linked", file=sys.stderr)
            return None
        dst = out / "videos" / f"run{i}" / Path(rec.video).name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        if mode == "link":
            dst.symlink_to(os.path.relpath(src.resolve(), dst.parent.resolve()))
        else:
            shutil.copyfile(src, dst)
        return dst.relative_to(out).as_posix()
    return place


def page_data(paths: Sequence[str | Path], out: Path, opts: ViewOptions) -> dict[str, Any]:
    """Everything the page shows, computed by results/: overviews, report tables, episodes, pairs, verdicts."""
    columns = load_columns(paths, opts.labels)
    mismatch = check_protocols(columns, opts.allow_protocol_mismatch)
    runs, labels = ordered_runs(columns, paths)
    tables = build_tables(columns, opts.published, mismatch)
    rows, keys_per_run = [], []
    for i, run in enumerate(runs):
        run_eps = run_rows(i, run.records, video_placer(run, i, out, opts.videos))
        rows += run_eps
        keys_per_run.append([row["key"] for row in run_eps])
    plots = []
    if opts.plots:
        from vla_harness.results.plots import make_plots

        plots = [{"src": p.relative_to(out).as_posix(), "title": p.stem} for p in make_plots(columns, out / "plots")]
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": [run_overview(run, label) for run, label in zip(runs, labels)],
        "tables": [table_json(t) for t in tables], "plots": plots, "episodes": columnar(rows),
        "side": side_by_side(keys_per_run, runs) if len(runs) > 1 else None,
        "compare": comparisons(runs, labels, opts.allow_protocol_mismatch) if len(runs) > 1 else [],
    }


def check_out(out: Path, paths: Sequence[str | Path]) -> None:
    """Write the site only into a folder of its own: never into (or under) a run directory, never over a file or a
    folder this command did not write (a user's own index.html)."""
    resolved = out.resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / MANIFEST).exists() or (folder / EPISODES).exists():
            where = "is a run directory" if folder == resolved else f"is inside the run directory {folder}"
            raise ConfigError(f"--out {out} {where}; give the viewer a directory of its own, e.g. {folder}-view")
    if any(resolved == Path(p).resolve() for p in paths):
        raise ConfigError(f"--out {out} is one of the runs; give the viewer a directory of its own")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give the viewer a directory (it writes index.html and more there)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ConfigError(f"--out {out} holds files the viewer did not write; give it an empty or new directory")


def build_site(paths: Sequence[str | Path], out: Path, opts: ViewOptions | None = None) -> Path:
    opts = opts or ViewOptions()
    if opts.videos not in VIDEO_MODES:
        raise ConfigError(f"--videos must be one of {', '.join(VIDEO_MODES)}, got '{opts.videos}'")
    out = Path(out)
    check_out(out, paths)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(f"cannot create --out {out}: a part of it is a file, not a folder") from None
    (out / MARKER).write_text("written by `vla-harness view`; it may overwrite this folder's files\n")
    data = page_data(paths, out, opts)
    (out / "assets").mkdir(exist_ok=True)
    for name in ("app.js", "style.css"):
        shutil.copyfile(ASSETS / name, out / "assets" / name)
    shutil.copyfile(ASSETS / "index.html", out / "index.html")
    blob = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    (out / "data.js").write_text(f"window.VIEW_DATA = {blob};\n", encoding="utf-8")
    return out / "index.html"
