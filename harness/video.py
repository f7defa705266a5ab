"""Episode videos: an observer of the loop that keeps upright frames and writes an MP4 (imageio + bundled ffmpeg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vla_harness.harness.episode import EpisodeObserver, EpisodeOutcome, upright_frame
from vla_harness.harness.protocols import Env
from vla_harness.harness.types import EpisodeSpec


def write_video(path: Path, frames: list[np.ndarray], fps: int) -> None:
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(str(path), fps=max(1, fps), codec="libx264", macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(np.ascontiguousarray(frame))


class VideoObserver(EpisodeObserver):
    """One frame before every policy step; at the end, an MP4 under `run_dir/videos/` when `mode` wants it.

    `saved` is the written file relative to the run directory, or None; `attempt` names the file."""

    def __init__(self, run_dir: str, mode: str, camera: str, fps: float, size: int = 128) -> None:
        self.run_dir, self.mode, self.camera, self.fps, self.size = Path(run_dir), mode, camera, fps, size
        self.frames: list[np.ndarray] = []
        self.attempt, self.saved = 1, None

    def episode_start(self, env: Env, spec: EpisodeSpec) -> None:
        self.frames = []

    def before_step(self, env: Env, action: np.ndarray) -> None:
        self.frames.append(upright_frame(env, self.camera, self.size))

    def episode_end(self, spec: EpisodeSpec, outcome: EpisodeOutcome) -> None:
        wanted = self.mode == "all" or (self.mode == "failures" and outcome.success is False)
        self.saved = None
        if wanted and self.frames:
            rel = Path("videos") / (spec.key.replace("/", "__") + f"__a{self.attempt}.mp4")
            write_video(self.run_dir / rel, self.frames, fps=int(self.fps))
            self.saved = str(rel)
        self.frames = []
