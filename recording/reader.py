"""Reading demonstrations back: `read_dataset(path) -> list[DemoEpisode]` (a folder of task files, or one file).

Reads files written by `vla-harness record` and LIBERO's own published `*_demo.hdf5` files alike; frames come
back upright whatever the file's convention (LIBERO's originals are upside down).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vla_harness.harness.errors import UserError

DEFAULT_FPS = 20.0  # LIBERO's control frequency, for files that do not say


class DatasetError(UserError, ValueError):
    pass


@dataclass
class DemoEpisode:
    name: str  # "<file stem>/demo_i"
    task_name: str
    instruction: str
    frames: dict[str, np.ndarray]  # "agentview", "eye_in_hand": (F, H, W, 3) uint8, upright
    actions: np.ndarray | None  # (T, 7) float32
    ee_states: np.ndarray  # (T, 6) float32 (empty second axis when the benchmark has no such state)
    gripper_states: np.ndarray  # (T, 2)
    joint_states: np.ndarray  # (T, 7)
    success: bool
    fps: float
    frame_steps: np.ndarray | None = None  # (F,) step of each frame; None = every step has one (F = T)

    def __len__(self) -> int:
        """Control steps (a file recorded with frame_every > 1 has fewer frames than steps)."""
        if self.actions is not None:
            return len(self.actions)
        if self.frame_steps is not None and len(self.frame_steps):
            return int(self.frame_steps[-1]) + 1
        return len(next(iter(self.frames.values()))) if self.frames else 0


def dataset_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DatasetError(f"no dataset at {path}: expected an .hdf5 file or a folder of them")
    files = sorted(path.glob("*.hdf5"))
    if not files:
        raise DatasetError(f"{path} holds no .hdf5 files (a dataset folder is what `vla-harness record --out` wrote)")
    return files


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _episode(file: Path, name: str, demo, data_attrs: dict) -> DemoEpisode:
    info = json.loads(_text(data_attrs.get("problem_info", "{}")))
    upright = _text(data_attrs.get("image_convention", "opengl")) == "upright"
    frames = {}
    for key in ("agentview", "eye_in_hand"):
        if f"obs/{key}_rgb" in demo:
            img = np.asarray(demo[f"obs/{key}_rgb"][()], dtype=np.uint8)
            frames[key] = img if upright else np.ascontiguousarray(img[:, ::-1, ::-1])
    obs = {k: np.asarray(demo[f"obs/{k}"][()], dtype=np.float32) if f"obs/{k}" in demo else np.zeros((0, 0), np.float32)
           for k in ("ee_states", "gripper_states", "joint_states")}
    actions = np.asarray(demo["actions"][()], dtype=np.float32) if "actions" in demo else None
    steps = np.asarray(demo["obs/frame_steps"][()], dtype=np.int64) if "obs/frame_steps" in demo else None
    return DemoEpisode(name=f"{file.stem}/{name}",
                       task_name=_text(demo.attrs.get("task_name", data_attrs.get("task_name", file.stem))),
                       instruction=_text(demo.attrs.get("instruction", info.get("language_instruction", ""))),
                       frames=frames, actions=actions, success=bool(demo.attrs.get("success", True)),
                       fps=float(data_attrs.get("fps", DEFAULT_FPS)), frame_steps=steps, **obs)


def _demo_index(name: str) -> int:
    tail = name.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def read_dataset(path: str | Path) -> list[DemoEpisode]:
    """Every demo of every task file under `path`, files sorted by name, demos by index."""
    import h5py

    episodes = []
    for file in dataset_files(path):
        with h5py.File(file, "r") as f:
            if "data" not in f:
                raise DatasetError(f"{file} has no 'data' group: not a LIBERO-layout demonstration file")
            data = f["data"]
            attrs = dict(data.attrs)
            for name in sorted(data.keys(), key=_demo_index):
                episodes.append(_episode(file, name, data[name], attrs))
    return episodes
