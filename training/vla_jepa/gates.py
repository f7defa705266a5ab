"""Learning gates, measured on held-out episodes: is the model better than the trivial baselines, and has its
representation collapsed? Each gate is tested against a deliberately blind and a deliberately collapsed model
(tests/test_vla_jepa_gates.py): a gate such a model passes is a bug.

Whether the model uses its camera is decided in closed loop (`vla-harness vision-check`, docs/vision_check.md): the
two open-loop image measurements below (action error with swapped images, chunk change image vs instruction) are
reported as diagnostics and no longer gate. A no-proprio model passed both while acting worse in closed loop, and
models that failed them by their margins still depended on the image there (docs/vla_jepa.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterator

import torch

from vla_harness.policies.vla_jepa.model import VlaJepa, feature_spread, latent_loss
from vla_harness.training.vla_jepa.config import TrainConfig
from vla_harness.training.vla_jepa.data import Tensors, stage1_batch
from vla_harness.training.vla_jepa.probes import action_probes, other_instruction


@dataclass
class Stage1Gates:
    latent_loss: float
    copy_current_loss: float  # baseline: predict the target of the current frame
    shuffled_instruction_loss: float  # same model, each sample given another task's instruction
    target_spread: float  # std of target features across samples (collapse if ~0)
    target_spread_init: float  # the same, measured with the target encoder at initialisation
    student_spread: float  # std of the student's tokens across samples (information only)
    spread_floor: float
    spread_fraction: float
    beats_copy: bool
    uses_language: bool | None  # None: only one instruction in the held-out set, cannot be measured
    no_collapse: bool  # spread above the absolute floor AND >= spread_fraction x its value at initialisation

    @property
    def passed(self) -> bool:
        return self.beats_copy and bool(self.uses_language) and self.no_collapse


@dataclass
class Stage2Gates:
    action_l1: float
    mean_action_l1: float  # baseline: always predict the training set's mean action
    replay_l1: float  # baseline: replay the actions of the nearest training demo of the same task
    swapped_image_l1: float  # same held-out samples, images from another held-out episode of the same task
    own_image_l1: float  # action L1 over those same samples with their own images (what swapped_image_l1 is against)
    image_change: float  # mean |chunk(own image) - chunk(swapped image)|
    instruction_change: float  # mean |chunk(own instruction) - chunk(another task's instruction)|
    error_margin: float
    output_fraction: float
    beats_mean: bool
    beats_replay: bool | None  # None: no training demo of a held-out task to replay
    vision_error: bool | None  # diagnostic: swapped_image_l1 >= (1 + error_margin) x action_l1; None: no pair
    vision_output: bool | None  # diagnostic: image_change >= output_fraction x instruction_change

    @property
    def passed(self) -> bool:
        return self.beats_mean and bool(self.beats_replay)


def _eval_batches(held_out: list[Tensors], cfg: TrainConfig) -> Iterator[dict]:
    """The held-out stage-1 batches every measurement draws: the same samples on every call."""
    gen = torch.Generator().manual_seed(cfg.split_seed + 1000)
    for _ in range(cfg.eval_batches):
        yield stage1_batch(held_out, cfg.batch, cfg.horizon_min, cfg.horizon_max, gen)


@torch.no_grad()
def target_spread(model: VlaJepa, held_out: list[Tensors], cfg: TrainConfig) -> float:
    """Spread of the target's tokens of held-out future frames (the same samples stage1_gates draws)."""
    total = sum(feature_spread(model.encode_target(b["future"])) for b in _eval_batches(held_out, cfg))
    return total / cfg.eval_batches


@torch.no_grad()
def stage1_gates(model: VlaJepa, held_out: list[Tensors], cfg: TrainConfig, bank: torch.Tensor,
                 spread_init: float) -> Stage1Gates:
    """`bank`: (n, text_dim) instruction embeddings for the wrong instructions; `spread_init`: target_spread of
    the model at initialisation."""
    sums = {"true": 0.0, "copy": 0.0, "shuf": 0.0, "spread": 0.0, "student": 0.0}
    shuffled_ok = True
    for b in _eval_batches(held_out, cfg):
        target = model.encode_target(b["future"])
        sums["true"] += float(latent_loss(model.predict_latent(b["frames"], b["text"], b["horizon"]),
                                          target, cfg.loss).mean())
        sums["copy"] += float(latent_loss(model.encode_target(b["frames"]), target, cfg.loss).mean())
        sums["spread"] += feature_spread(target)
        sums["student"] += feature_spread(model.student(b["frames"], b["text"]))
        other = other_instruction(b["text"], bank)
        if other is None:
            shuffled_ok = False
        else:
            sums["shuf"] += float(latent_loss(model.predict_latent(b["frames"], other, b["horizon"]),
                                              target, cfg.loss).mean())
    m = {k: v / cfg.eval_batches for k, v in sums.items()}
    no_collapse = m["spread"] > cfg.collapse_floor and m["spread"] >= cfg.collapse_fraction * spread_init
    return Stage1Gates(latent_loss=m["true"], copy_current_loss=m["copy"],
                       shuffled_instruction_loss=m["shuf"] if shuffled_ok else float("nan"),
                       target_spread=m["spread"], target_spread_init=spread_init, student_spread=m["student"],
                       spread_floor=cfg.collapse_floor, spread_fraction=cfg.collapse_fraction,
                       beats_copy=m["true"] < m["copy"],
                       uses_language=(m["true"] < m["shuf"]) if shuffled_ok else None, no_collapse=no_collapse)


@torch.no_grad()
def stage2_gates(model: VlaJepa, held_out: list[Tensors], train: list[Tensors], cfg: TrainConfig,
                 bank: torch.Tensor) -> Stage2Gates:
    p = action_probes(model, held_out, train, cfg, bank)
    nan = float("nan")
    vision_error = None if p.swapped_l1 is None else \
        p.swapped_l1 >= (1.0 + cfg.vision_error_margin) * p.own_l1_swappable
    # strictly positive: a model that reads neither image nor instruction moves by 0 >= fraction x 0
    vision_output = None if p.image_change is None or p.instruction_change is None else \
        p.image_change > 0 and p.image_change >= cfg.vision_output_fraction * p.instruction_change
    return Stage2Gates(action_l1=p.action_l1, mean_action_l1=p.mean_l1,
                       replay_l1=nan if p.replay_l1 is None else p.replay_l1,
                       swapped_image_l1=nan if p.swapped_l1 is None else p.swapped_l1,
                       own_image_l1=nan if p.own_l1_swappable is None else p.own_l1_swappable,
                       image_change=nan if p.image_change is None else p.image_change,
                       instruction_change=nan if p.instruction_change is None else p.instruction_change,
                       error_margin=cfg.vision_error_margin, output_fraction=cfg.vision_output_fraction,
                       beats_mean=p.action_l1 < p.mean_l1,
                       beats_replay=None if p.replay_l1 is None else p.own_l1_replayable < p.replay_l1,
                       vision_error=vision_error, vision_output=vision_output)


def describe(gates: Stage1Gates | Stage2Gates) -> list[str]:
    """Plain lines for the training report."""
    if isinstance(gates, Stage1Gates):
        g = gates
        lang = "n/a (one instruction only)" if g.uses_language is None else _pf(g.uses_language)
        return [f"  latent loss {g.latent_loss:.4f} vs copy-current-frame {g.copy_current_loss:.4f}: "
                f"{_pf(g.beats_copy)}",
                f"  true instruction {g.latent_loss:.4f} vs shuffled {g.shuffled_instruction_loss:.4f}: {lang}",
                f"  target feature spread {g.target_spread:.4f} vs {g.target_spread_init:.4f} at initialisation "
                f"(need >= {g.spread_fraction:g}x and > {g.spread_floor:g}): {_pf(g.no_collapse)}; "
                f"student spread {g.student_spread:.4f}"]
    g = gates
    return [f"  action L1 {g.action_l1:.4f} vs mean-action {g.mean_action_l1:.4f}: {_pf(g.beats_mean)}",
            f"  action L1 {g.action_l1:.4f} vs nearest-training-demo replay {g.replay_l1:.4f}: {_pf(g.beats_replay)}",
            f"  diagnostic (not a gate): images swapped within a task: action L1 {g.swapped_image_l1:.4f} vs "
            f"{g.own_image_l1:.4f} with their own images (>= {1 + g.error_margin:g}x: {_yn(g.vision_error)})",
            f"  diagnostic (not a gate): chunk change with the image {g.image_change:.4f} vs with the instruction "
            f"{g.instruction_change:.4f} (>= {g.output_fraction:g}x: {_yn(g.vision_output)})"]


def _pf(ok: bool | None) -> str:
    return "n/a (cannot be measured: FAIL)" if ok is None else ("PASS" if ok else "FAIL")


def _yn(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "no")


def as_dict(gates: Stage1Gates | Stage2Gates) -> dict:
    return {**asdict(gates), "passed": gates.passed}
