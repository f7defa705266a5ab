"""Demonstrations on disk in LIBERO's own HDF5 layout: one `<task_name>_demo.hdf5` per task.

    data/                      attrs: problem_info (JSON: problem_name, language_instruction), num_demos, total,
                                      image_convention ("upright"), fps, bench, suite, task_id, task_name
    data/demo_i/          attrs: num_samples, instruction, task_name, success, init_state_index, trial, seed, policy
    data/demo_i/actions        (T, 7) float32
    data/demo_i/rewards, dones (T,)
    data/demo_i/obs/agentview_rgb, eye_in_hand_rgb   (F, H, W, 3) uint8, upright (F = T unless frame_every > 1)
    data/demo_i/obs/frame_steps (F,) int32: the step of each frame (attr frame_every on the demo)
    data/demo_i/obs/ee_states (T, 6) pos + axis-angle, gripper_states (T, 2), joint_states (T, 7)   float32

Each kept episode is written and the file closed before the next episode starts: a crash loses at most one.
LIBERO's published datasets store images upside down; `image_convention` says which one a file holds.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from vla_harness.harness.types import EpisodeSpec
from vla_harness.recording.capture import FRAME_KEYS, EpisodeBuffer

IMAGE_CONVENTION = "upright"


def task_file(out_dir: Path, task_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", task_name) or "task"
    return Path(out_dir) / f"{safe}_demo.hdf5"


def _init_data_group(data, spec: EpisodeSpec, fps: float) -> None:
    info = {"problem_name": spec.task_name, "domain_name": spec.bench, "language_instruction": spec.instruction}
    data.attrs.update({"problem_info": json.dumps(info), "num_demos": 0, "total": 0, "fps": float(fps),
                       "image_convention": IMAGE_CONVENTION, "bench": spec.bench, "suite": spec.suite,
                       "task_id": int(spec.task_id), "task_name": spec.task_name})


def write_demo(out_dir: Path, spec: EpisodeSpec, buffer: EpisodeBuffer, success: bool, fps: float,
               policy: str) -> tuple[Path, str]:
    """Append one episode as the next `demo_i` of its task's file; returns (file, demo name)."""
    import h5py

    path = task_file(out_dir, spec.task_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "a") as f:
        data = f.require_group("data")
        if "problem_info" not in data.attrs:
            _init_data_group(data, spec, fps)
        name = f"demo_{len(data.keys())}"
        demo = data.create_group(name)
        demo.attrs.update({"num_samples": len(buffer), "instruction": spec.instruction, "task_name": spec.task_name,
                           "success": bool(success), "init_state_index": -1 if spec.init_state_index is None
                           else int(spec.init_state_index), "trial": int(spec.trial), "seed": int(spec.seed),
                           "policy": policy, "frame_every": _frame_every(buffer)})
        demo.create_dataset("actions", data=np.stack(buffer.actions).astype(np.float32))
        demo.create_dataset("rewards", data=np.asarray(buffer.rewards, dtype=np.float32))
        demo.create_dataset("dones", data=np.asarray(buffer.dones, dtype=np.uint8))
        obs = demo.create_group("obs")
        for key in FRAME_KEYS:
            frames = np.stack(buffer.frames[key]).astype(np.uint8)
            obs.create_dataset(f"{key}_rgb", data=frames, chunks=(1,) + frames.shape[1:], compression="gzip",
                               compression_opts=4)
        obs.create_dataset("frame_steps", data=np.asarray(buffer.frame_steps, dtype=np.int32))
        for key in ("ee_states", "gripper_states", "joint_states"):
            obs.create_dataset(key, data=np.stack(getattr(buffer, key)).astype(np.float32))
        data.attrs["num_demos"] = int(data.attrs["num_demos"]) + 1
        data.attrs["total"] = int(data.attrs["total"]) + len(buffer)
        f.flush()
    return path, name


def _frame_every(buffer: EpisodeBuffer) -> int:
    steps = buffer.frame_steps
    return int(steps[1] - steps[0]) if len(steps) > 1 else 1


def append_log(out_dir: Path, entry: dict) -> None:
    """One line per attempted episode (kept or not): the recorder's success log."""
    path = Path(out_dir) / "record_log.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
