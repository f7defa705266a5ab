"""VLA-JEPA as a harness policy: `--policy vla_jepa [--checkpoint DIR]` (default: the shipped small checkpoint)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vla_harness.harness.conventions import LIBERO_GRIPPER, UPRIGHT, PolicyConventions, StateVector
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.vla_jepa.checkpoint import DEFAULT, digest, load
from vla_harness.policies.vla_jepa.data import resize_frames

# Trained on upright frames (recording/capture.py) and the recorder's proprio: eef pos + axis-angle + finger qpos
# (state_dim 8) or eef pos + finger qpos (state_dim 5, older checkpoints); the worker converts to this.
STATE_FIELDS = {5: ("eef_pos", "gripper_qpos"), 8: ("eef_pos", "eef_axis_angle", "gripper_qpos")}


def conventions(state_dim: int) -> PolicyConventions:
    return PolicyConventions(orientation=UPRIGHT, state=(StateVector("state", STATE_FIELDS[state_dim]),),
                             gripper=LIBERO_GRIPPER)


CONVENTIONS = conventions(8)


def _shown(path: str) -> str:
    """The checkpoint as a report shows it: relative to the repository for the shipped ones, else as given."""
    try:
        return str(Path(path).resolve().relative_to(DEFAULT.parents[1]))
    except ValueError:
        return path


class VlaJepaPolicy:
    renamed_options = {"execute": "replan_steps"}  # its 0.1 name

    def __init__(self, checkpoint: str | None = None, replan_steps: int | None = None, threads: int = 1) -> None:
        if threads:
            torch.set_num_threads(int(threads))
        self.path = str(checkpoint or DEFAULT)
        self.model, self.texts, self.meta = load(self.path)
        self.identity = {"checkpoint": _shown(self.path), "sha256": digest(self.path)}
        self.cfg = self.model.cfg
        self.execute = int(replan_steps or self.cfg.chunk_len)
        self.text: torch.Tensor | None = None

    def spec(self) -> PolicySpec:
        steps = self.meta["manifest"].get("steps", {})
        version = f"{self.cfg.dim}d{self.cfg.depth}L-s{steps.get('stage1', 0)}-a{steps.get('stage2', 0)}"
        return PolicySpec(name="vla_jepa", version=version, cameras=tuple(self.cfg.cameras),
                          image_size=self.cfg.render_size or self.cfg.image_size, replan_steps=self.execute,
                          action_dim=self.cfg.action_dim, conventions=conventions(self.cfg.state_dim),
                          identity=dict(self.identity))

    def reset(self, task: TaskInfo) -> None:
        self.text = torch.as_tensor(self.texts.get(task.instruction))[None]

    def inputs(self, obs: Observation) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Observation (upright, in CONVENTIONS) -> model tensors, exactly as training prepared recorded frames."""
        cams = [resize_frames(np.asarray(obs.images[cam])[None], self.cfg.image_size)[0] for cam in self.cfg.cameras]
        frames = torch.stack(cams)[None].float() / 255.0
        state = np.asarray(obs.state["state"], np.float32).reshape(-1)[: self.cfg.state_dim]
        text = self.text if self.text is not None else torch.as_tensor(self.texts.get(obs.instruction))[None]
        return frames, text, torch.as_tensor(state)[None]

    @torch.no_grad()
    def act(self, obs: Observation) -> np.ndarray:
        frames, text, state = self.inputs(obs)
        chunk = self.model.predict_actions(frames, text, state)[0, : self.execute].numpy().astype(np.float32)
        chunk = np.clip(chunk, -1.0, 1.0)
        chunk[:, -1] = np.where(chunk[:, -1] > 0, 1.0, -1.0)  # the gripper is binary in LIBERO
        return chunk

    def close(self) -> None:
        pass
