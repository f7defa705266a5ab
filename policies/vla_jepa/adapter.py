"""VLA-JEPA as a harness policy: `--policy vla_jepa [--checkpoint DIR]` (default: the shipped small checkpoint)."""

from __future__ import annotations

import numpy as np
import torch

from harness.types import Observation, PolicySpec, TaskInfo
from policies.vla_jepa.checkpoint import DEFAULT, load
from policies.vla_jepa.data import proprio, resize_frames
from recording.capture import quat_to_axis_angle

SIM_CAMERA = {"agentview": "agentview", "eye_in_hand": "robot0_eye_in_hand"}
STATE_KEYS = ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos")


class VlaJepaPolicy:
    def __init__(self, checkpoint: str | None = None, execute: int | None = None, threads: int = 1) -> None:
        if threads:
            torch.set_num_threads(int(threads))
        self.path = str(checkpoint or DEFAULT)
        self.model, self.texts, self.meta = load(self.path)
        self.cfg = self.model.cfg
        self.execute = int(execute or self.cfg.chunk_len)
        self.text: torch.Tensor | None = None

    def spec(self) -> PolicySpec:
        steps = self.meta["manifest"].get("steps", {})
        version = f"{self.cfg.dim}d{self.cfg.depth}L-s{steps.get('stage1', 0)}-a{steps.get('stage2', 0)}"
        return PolicySpec(name="vla_jepa", version=version, cameras=tuple(SIM_CAMERA[c] for c in self.cfg.cameras),
                          image_size=self.cfg.render_size or self.cfg.image_size, chunk_len=self.execute,
                          state_keys=STATE_KEYS, action_dim=self.cfg.action_dim)

    def reset(self, task: TaskInfo) -> None:
        self.text = torch.as_tensor(self.texts.get(task.instruction))[None]

    def inputs(self, obs: Observation) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Observation -> model tensors, exactly as training prepared recorded (upright) frames."""
        cams = []
        for cam in self.cfg.cameras:
            img = np.asarray(obs.images[SIM_CAMERA[cam]])[::-1, ::-1]  # MuJoCo renders upside down
            cams.append(resize_frames(img[None], self.cfg.image_size)[0])
        frames = torch.stack(cams)[None].float() / 255.0
        state = self.proprio(obs.state)
        text = self.text if self.text is not None else torch.as_tensor(self.texts.get(obs.instruction))[None]
        return frames, text, torch.as_tensor(state)[None]

    def proprio(self, state: dict) -> np.ndarray:
        """The recorder's ee_states (position + axis-angle) and gripper fingers, cut as training cut them."""
        ee = np.concatenate([np.asarray(state["robot0_eef_pos"], np.float64).reshape(-1)[:3],
                             quat_to_axis_angle(np.asarray(state["robot0_eef_quat"]).reshape(-1))])
        grip = np.asarray(state["robot0_gripper_qpos"], np.float32).reshape(1, -1)
        return proprio(ee[None], grip, self.cfg.state_dim)[0]

    @torch.no_grad()
    def act(self, obs: Observation) -> np.ndarray:
        frames, text, state = self.inputs(obs)
        chunk = self.model.predict_actions(frames, text, state)[0, : self.execute].numpy().astype(np.float32)
        chunk = np.clip(chunk, -1.0, 1.0)
        chunk[:, -1] = np.where(chunk[:, -1] > 0, 1.0, -1.0)  # the gripper is binary in LIBERO
        return chunk

    def close(self) -> None:
        pass
