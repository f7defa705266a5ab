"""Held-out action probes behind the stage-2 gates: action error, the mean-action and nearest-demo replay baselines,
and what happens to the chunk when the image or the instruction is swapped.

Samples: up to `PER_EPISODE` frames spread evenly over each held-out demonstration. The image swap takes the frame
at the same relative time of another held-out demonstration of the same task (another placement), keeping the
sample's own instruction and proprio: a model that ignores the image gives the same chunk."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vla_harness.policies.vla_jepa.model import VlaJepa
from vla_harness.training.vla_jepa.config import TrainConfig
from vla_harness.training.vla_jepa.data import Tensors, action_chunk

PER_EPISODE = 8


@dataclass
class ActionProbes:
    action_l1: float
    mean_l1: float
    replay_l1: float | None
    swapped_l1: float | None
    own_l1_swappable: float | None  # action_l1 over the samples that have a swap partner
    own_l1_replayable: float | None  # action_l1 over the samples that have a demo to replay
    image_change: float | None
    instruction_change: float | None


def other_instruction(text: torch.Tensor, bank: torch.Tensor) -> torch.Tensor | None:
    """Give each sample another task's instruction: the next distinct one in the bank (all training instructions)."""
    uniq = torch.unique(torch.cat([bank, text]), dim=0)
    if uniq.shape[0] < 2:
        return None
    index = (text[:, None, :] == uniq[None]).all(-1).float().argmax(1)
    return uniq[(index + 1) % uniq.shape[0]]


def nearest_demo(ep: Tensors, train: list[Tensors]) -> Tensors | None:
    """The training demonstration of the same task whose first frame (all cameras) is closest in pixels."""
    same = [t for t in train if t.task == ep.task and t.actions is not None]
    if not same:
        return None
    first = ep.frames[0].float()
    return min(same, key=lambda t: float((t.frames[0].float() - first).pow(2).mean()))


def _partner(ep: Tensors, held: list[Tensors]) -> Tensors | None:
    same = [t for t in held if t.task == ep.task]
    if len(same) < 2:
        return None
    own = next(k for k, t in enumerate(same) if t is ep)
    return same[(own + 1) % len(same)]


@dataclass
class _Samples:
    frames: list[torch.Tensor]
    swapped: list[torch.Tensor]
    text: list[torch.Tensor]
    state: list[torch.Tensor]
    truth: list[torch.Tensor]
    replay: list[torch.Tensor]
    has_swap: list[bool]
    has_replay: list[bool]


def _collect(held: list[Tensors], train: list[Tensors], chunk: int) -> _Samples:
    s = _Samples([], [], [], [], [], [], [], [])
    for ep in held:
        partner, demo = _partner(ep, held), nearest_demo(ep, train)
        n = ep.frames.shape[0]
        for i in torch.linspace(0, n - 1, min(PER_EPISODE, n)).round().long().unique().tolist():
            t = ep.frame_step(i)
            s.frames.append(ep.frames[i]), s.text.append(ep.text), s.state.append(ep.state[t])
            s.truth.append(action_chunk(ep.actions, t, chunk))
            j = round(i * (partner.frames.shape[0] - 1) / max(1, n - 1)) if partner is not None else i
            s.swapped.append(partner.frames[j] if partner is not None else ep.frames[i])
            s.has_swap.append(partner is not None)
            s.replay.append(action_chunk(demo.actions, t, chunk) if demo is not None else s.truth[-1])
            s.has_replay.append(demo is not None)
    return s


def _predict(model: VlaJepa, frames: torch.Tensor, text: torch.Tensor, state: torch.Tensor,
             batch: int) -> torch.Tensor:
    out = [model.predict_actions(frames[k:k + batch].float() / 255.0, text[k:k + batch], state[k:k + batch])
           for k in range(0, frames.shape[0], batch)]
    return torch.cat(out)


def _mean_or_none(values: torch.Tensor, mask: torch.Tensor) -> float | None:
    return float(values[mask].mean()) if bool(mask.any()) else None


@torch.no_grad()
def action_probes(model: VlaJepa, held_out: list[Tensors], train: list[Tensors], cfg: TrainConfig,
                  bank: torch.Tensor) -> ActionProbes:
    held = [e for e in held_out if e.actions is not None]
    s = _collect(held, train, model.cfg.chunk_len)
    frames, text, state = torch.stack(s.frames), torch.stack(s.text), torch.stack(s.state)
    truth = torch.stack(s.truth)
    pred = _predict(model, frames, text, state, cfg.batch)
    per_sample = lambda a, b: (a - b).abs().mean(dim=(1, 2))  # noqa: E731
    swapped = _predict(model, torch.stack(s.swapped), text, state, cfg.batch)
    swap_mask, replay_mask = torch.tensor(s.has_swap), torch.tensor(s.has_replay)
    other = other_instruction(text, bank)
    instr_change = None
    if other is not None:
        instr_change = float(per_sample(_predict(model, frames, other, state, cfg.batch), pred).mean())
    own = per_sample(pred, truth)
    return ActionProbes(action_l1=float(own.mean()),
                        own_l1_swappable=_mean_or_none(own, swap_mask),
                        own_l1_replayable=_mean_or_none(own, replay_mask),
                        mean_l1=float(per_sample(model.action_mean.expand_as(truth), truth).mean()),
                        replay_l1=_mean_or_none(per_sample(torch.stack(s.replay), truth), replay_mask),
                        swapped_l1=_mean_or_none(per_sample(swapped, truth), swap_mask),
                        image_change=_mean_or_none(per_sample(swapped, pred), swap_mask),
                        instruction_change=instr_change)
