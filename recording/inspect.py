"""Dataset summary and a contact sheet (first and last agentview frame of each episode)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from vla_harness.recording.reader import DemoEpisode, dataset_files


def summary_lines(path: str | Path, episodes: list[DemoEpisode]) -> list[str]:
    files = dataset_files(path)
    size_mb = sum(f.stat().st_size for f in files) / 2**20
    lengths = np.array([len(e) for e in episodes]) if episodes else np.zeros(1, dtype=int)
    lines = [f"{path}: {len(episodes)} episodes in {len(files)} files, {size_mb:.1f} MiB "
             f"({size_mb / max(1, len(episodes)):.2f} MiB per episode)",
             f"lengths: min {lengths.min()}, mean {lengths.mean():.1f}, max {lengths.max()} steps; "
             f"success {sum(e.success for e in episodes)}/{len(episodes)}"]
    if episodes:
        e = episodes[0]
        shapes = ", ".join(f"{k} {v.shape[1:]}" for k, v in e.frames.items())
        lines.append(f"frames: {shapes}; fps {e.fps:g}; actions {None if e.actions is None else e.actions.shape[1:]}")
    for (_task, instruction), n in sorted(Counter((e.task_name, e.instruction) for e in episodes).items()):
        lines.append(f"  {n:4d}  {instruction}")
    return lines


def contact_sheet(episodes: list[DemoEpisode], max_rows: int = 40, camera: str = "agentview") -> np.ndarray:
    """One row per episode: its first and last frame side by side (rows of equal frame size)."""
    rows = []
    for e in episodes[:max_rows]:
        frames = e.frames.get(camera)
        if frames is None or len(frames) == 0:
            continue
        gap = np.full((frames.shape[1], 4, 3), 255, dtype=np.uint8)
        rows.append(np.concatenate([frames[0], gap, frames[-1]], axis=1))
    if not rows:
        raise ValueError(f"no '{camera}' frames to put on a contact sheet")
    width = max(r.shape[1] for r in rows)
    rows = [r if r.shape[1] == width else np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in rows]
    return np.concatenate(rows, axis=0)


def write_contact_sheet(path: Path, episodes: list[DemoEpisode], max_rows: int = 40) -> Path:
    import imageio.v2 as imageio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(str(path), contact_sheet(episodes, max_rows))
    return Path(path)
