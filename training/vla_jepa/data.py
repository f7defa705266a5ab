"""Episodes -> training tensors: resized frames, instruction embeddings, future offsets, action chunks, splits.

Episodes are duck-typed like recording.reader.DemoEpisode (name, task_name, instruction, frames dict of
(T,H,W,3) uint8 upright, actions (T,7) or None, ee_states, gripper_states, success, fps)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F

from vla_harness.policies.vla_jepa.config import ConfigError, ModelConfig
from vla_harness.policies.vla_jepa.data import resize_frames


@dataclass
class Episode:
    """The fields training reads (same names as the recorder's DemoEpisode)."""

    name: str
    task_name: str
    instruction: str
    frames: dict[str, np.ndarray]
    actions: np.ndarray | None
    ee_states: np.ndarray
    gripper_states: np.ndarray
    success: bool = True
    fps: float = 20.0
    joint_states: np.ndarray | None = None
    frame_steps: np.ndarray | None = None  # (F,) step of each frame; None = one frame per step


def proprio(ee_states: np.ndarray, gripper_states: np.ndarray, dim: int = 8) -> np.ndarray:
    """(T, dim): end-effector position, its orientation as axis-angle (dim 8 only; LIBERO's ee_states hold both)
    and the two gripper finger positions. dim 5 (position + fingers) is what older checkpoints used."""
    ee = np.asarray(ee_states, dtype=np.float32).reshape(len(ee_states), -1)
    ee = np.pad(ee, ((0, 0), (0, max(0, 6 - ee.shape[1]))))[:, : dim - 2]
    grip = np.asarray(gripper_states, dtype=np.float32).reshape(len(gripper_states), -1)[:, :2]
    return np.concatenate([ee, grip], axis=1)


@dataclass
class Tensors:
    """One prepared episode."""

    frames: torch.Tensor  # (F, C, 3, S, S) uint8
    text: torch.Tensor  # (text_dim,)
    state: torch.Tensor  # (T, state_dim)
    actions: torch.Tensor | None  # (T, 7) or None for unlabelled video
    task: str = ""
    steps: torch.Tensor | None = None  # (F,) the step of each frame (frames may be every k-th step)
    name: str = ""

    def frame_step(self, i: int) -> int:
        return int(self.steps[i]) if self.steps is not None else i


@dataclass
class Split:
    train: list[Tensors] = field(default_factory=list)
    held_out: list[Tensors] = field(default_factory=list)
    train_names: list[str] = field(default_factory=list)
    held_out_names: list[str] = field(default_factory=list)


def prepare(ep, cfg: ModelConfig, text: np.ndarray) -> Tensors:
    cams = [resize_frames(ep.frames[c], cfg.image_size) for c in cfg.cameras]
    actions = None if ep.actions is None else torch.as_tensor(np.asarray(ep.actions, dtype=np.float32))
    steps = getattr(ep, "frame_steps", None)
    steps = torch.arange(cams[0].shape[0]) if steps is None else torch.as_tensor(np.asarray(steps), dtype=torch.long)
    return Tensors(frames=torch.stack(cams, dim=1), text=torch.as_tensor(text, dtype=torch.float32),
                   state=torch.as_tensor(proprio(ep.ee_states, ep.gripper_states, cfg.state_dim)), actions=actions,
                   task=ep.task_name, steps=steps, name=ep.name)


def split_episodes(episodes: list, cfg: ModelConfig, texts: dict[str, np.ndarray], fraction: float,
                   seed: int) -> Split:
    """Hold out whole episodes per task, demonstrations and unlabelled video separately (at least one of each kind
    when a task has two or more). With one demonstration per task, whole tasks' demonstrations are held out. Each
    group draws from its own generator, so adding or removing video never changes which demonstrations train."""
    groups: dict[tuple[str, bool], list] = {}
    for ep in sorted(episodes, key=lambda e: e.name):
        groups.setdefault((ep.task_name, ep.actions is not None), []).append(ep)
    held = set()
    for key in sorted(groups):
        eps = groups[key]
        # two held out per task where possible: the image-swap gate pairs held-out episodes of the same task
        n_out = max(2 if len(eps) >= 6 else 1, int(round(fraction * len(eps)))) if len(eps) >= 2 else 0
        held.update(eps[i].name for i in _group_rng(seed, f"{key[0]}:{key[1]}").permutation(len(eps))[:n_out])
    demo_tasks = sorted(task for task, labelled in groups if labelled)
    if demo_tasks and not any(e.name in held and e.actions is not None for e in episodes):
        n_tasks = max(1, int(round(fraction * len(demo_tasks))))
        for i in _group_rng(seed, "whole tasks").permutation(len(demo_tasks))[:n_tasks]:
            held.update(e.name for e in groups[(demo_tasks[i], True)])
    split = Split()
    for ep in sorted(episodes, key=lambda e: e.name):
        out = ep.name in held
        (split.held_out if out else split.train).append(prepare(ep, cfg, texts[ep.instruction]))
        (split.held_out_names if out else split.train_names).append(ep.name)
    return split


def _group_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


def future_pairs(ep: Tensors, hmin: int, hmax: int) -> torch.Tensor:
    """(P, 2) frame index pairs (now, future) whose steps are hmin..hmax apart."""
    steps = ep.steps if ep.steps is not None else torch.arange(ep.frames.shape[0])
    gap = steps[None, :] - steps[:, None]
    return ((gap >= hmin) & (gap <= hmax)).nonzero()


def stage1_batch(eps: list[Tensors], batch: int, hmin: int, hmax: int, gen: torch.Generator) -> dict:
    """Current frames, future frames hmin..hmax steps ahead, instruction, horizon (in steps). Episodes too short
    are skipped."""
    pairs = [(e, p) for e in eps for p in [future_pairs(e, hmin, hmax)] if len(p)]
    if not pairs:
        raise ConfigError(f"no episode has two frames {hmin}-{hmax} steps apart")
    cur, fut, text, hor = [], [], [], []
    for _ in range(batch):
        ep, p = pairs[int(torch.randint(len(pairs), (1,), generator=gen))]
        i, j = (int(v) for v in p[int(torch.randint(len(p), (1,), generator=gen))])
        cur.append(ep.frames[i]), fut.append(ep.frames[j]), text.append(ep.text)
        hor.append(ep.frame_step(j) - ep.frame_step(i))
    return {"frames": torch.stack(cur).float() / 255.0, "future": torch.stack(fut).float() / 255.0,
            "text": torch.stack(text), "horizon": torch.tensor(hor)}


def action_chunk(actions: torch.Tensor, t: int, k: int) -> torch.Tensor:
    """actions[t:t+k], padded with the last action at the end of the episode."""
    idx = torch.clamp(torch.arange(t, t + k), max=actions.shape[0] - 1)
    return actions[idx]


def stage2_batch(eps: list[Tensors], batch: int, chunk: int, gen: torch.Generator) -> dict:
    labelled = [e for e in eps if e.actions is not None]
    if not labelled:
        raise ConfigError("stage 2 needs successful episodes with actions; none of these episodes has them")
    frames, text, state, acts = [], [], [], []
    for _ in range(batch):
        ep = labelled[int(torch.randint(len(labelled), (1,), generator=gen))]
        i = int(torch.randint(ep.frames.shape[0], (1,), generator=gen))
        t = ep.frame_step(i)
        frames.append(ep.frames[i]), text.append(ep.text), state.append(ep.state[t])
        acts.append(action_chunk(ep.actions, t, chunk))
    return {"frames": torch.stack(frames).float() / 255.0, "text": torch.stack(text), "state": torch.stack(state),
            "actions": torch.stack(acts)}


def shift(frames: torch.Tensor, max_px: int, gen: torch.Generator) -> torch.Tensor:
    """Translate each sample's frames (B, C, 3, H, W) by up to +-max_px pixels (edge-replicated): the training
    augmentation. One shift per sample, the same for all its cameras' frames (and for its future frame when given
    stacked along C)."""
    if max_px <= 0:
        return frames
    b, c, ch, h, w = frames.shape
    padded = F.pad(frames.flatten(1, 2), (max_px,) * 4, mode="replicate")
    out = torch.empty_like(frames)
    offsets = torch.randint(0, 2 * max_px + 1, (b, 2), generator=gen)
    for k in range(b):
        dy, dx = int(offsets[k, 0]), int(offsets[k, 1])
        out[k] = padded[k, :, dy:dy + h, dx:dx + w].reshape(c, ch, h, w)
    return out


def norm_stats(eps: list[Tensors], action_std_floor: float = 1e-3) -> dict[str, torch.Tensor]:
    """Action and proprio statistics of the demonstrations (the action head sees no other episode's state)."""
    acts = torch.cat([e.actions for e in eps if e.actions is not None])
    states = torch.cat([e.state for e in eps if e.actions is not None])
    return {"action_mean": acts.mean(0), "action_std": acts.std(0).clamp_min(max(action_std_floor, 1e-3)),
            "state_mean": states.mean(0), "state_std": states.std(0).clamp_min(1e-3)}


def synthetic_episodes(n: int = 8, steps: int = 40, size: int = 48, seed: int = 0) -> list[Episode]:
    """Episodes in the recorder's shape: a square moves in the direction its instruction names; actions = motion."""
    rng = np.random.default_rng(seed)
    moves = {"move the square right": (0, 1), "move the square down": (1, 0), "move the square left": (0, -1)}
    out = []
    for i in range(n):
        instruction = list(moves)[i % len(moves)]
        dy, dx = moves[instruction]
        y, x = rng.integers(size // 3, 2 * size // 3, size=2)
        frames = np.zeros((steps, size, size, 3), np.uint8)
        pos = np.zeros((steps, 3), np.float32)
        for t in range(steps):
            cy, cx = (y + dy * t * 0.4) % (size - 6), (x + dx * t * 0.4) % (size - 6)
            frames[t, int(cy):int(cy) + 6, int(cx):int(cx) + 6] = (255, 60 + 40 * (i % 3), 40)
            pos[t] = (cy / size, cx / size, 0.0)
        wrist = frames[:, ::-1].copy()
        acts = np.tile(np.array([dy, dx, 0, 0, 0, 0, -1], np.float32), (steps, 1))
        acts[:, :2] += rng.normal(0, 0.05, size=(steps, 2)).astype(np.float32)
        out.append(Episode(name=f"synthetic_{i:03d}", task_name=instruction.replace(" ", "_"), instruction=instruction,
                           frames={"agentview": frames, "eye_in_hand": wrist}, actions=acts, ee_states=pos,
                           gripper_states=np.zeros((steps, 2), np.float32)))
    return out
