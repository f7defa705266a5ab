"""Learning gates, measured on held-out episodes: is the model better than the trivial baselines?"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from policies.vla_jepa.config import TrainConfig
from policies.vla_jepa.data import Tensors, stage1_batch, stage2_batch
from policies.vla_jepa.model import VlaJepa, feature_spread, latent_loss


@dataclass
class Stage1Gates:
    latent_loss: float
    copy_current_loss: float  # baseline: predict the target of the current frame
    shuffled_instruction_loss: float  # same model, each sample given another task's instruction
    target_spread: float  # std of target features across samples (collapse if ~0)
    spread_floor: float
    beats_copy: bool
    uses_language: bool | None  # None: only one instruction in the held-out set, cannot be measured
    no_collapse: bool

    @property
    def passed(self) -> bool:
        return self.beats_copy and bool(self.uses_language) and self.no_collapse


@dataclass
class Stage2Gates:
    action_l1: float
    mean_action_l1: float  # baseline: always predict the training set's mean action
    beats_mean: bool

    @property
    def passed(self) -> bool:
        return self.beats_mean


def _other_instruction(text: torch.Tensor, bank: torch.Tensor) -> torch.Tensor | None:
    """Give each sample another task's instruction: the next distinct one in the bank (all training instructions)."""
    uniq = torch.unique(torch.cat([bank, text]), dim=0)
    if uniq.shape[0] < 2:
        return None
    index = (text[:, None, :] == uniq[None]).all(-1).float().argmax(1)
    return uniq[(index + 1) % uniq.shape[0]]


@torch.no_grad()
def stage1_gates(model: VlaJepa, held_out: list[Tensors], cfg: TrainConfig, bank: torch.Tensor) -> Stage1Gates:
    """`bank`: (n, text_dim) instruction embeddings to draw the shuffled (wrong) instructions from."""
    gen = torch.Generator().manual_seed(cfg.seed + 1000)
    sums = {"true": 0.0, "copy": 0.0, "shuf": 0.0, "spread": 0.0}
    shuffled_ok = True
    for _ in range(cfg.eval_batches):
        b = stage1_batch(held_out, cfg.batch, cfg.horizon_min, cfg.horizon_max, gen)
        target = model.encode_target(b["future"])
        sums["true"] += float(latent_loss(model.predict_latent(b["frames"], b["text"], b["horizon"]),
                                          target, cfg.loss).mean())
        sums["copy"] += float(latent_loss(model.encode_target(b["frames"]), target, cfg.loss).mean())
        sums["spread"] += feature_spread(target)
        other = _other_instruction(b["text"], bank)
        if other is None:
            shuffled_ok = False
        else:
            sums["shuf"] += float(latent_loss(model.predict_latent(b["frames"], other, b["horizon"]),
                                              target, cfg.loss).mean())
    m = {k: v / cfg.eval_batches for k, v in sums.items()}
    return Stage1Gates(latent_loss=m["true"], copy_current_loss=m["copy"],
                       shuffled_instruction_loss=m["shuf"] if shuffled_ok else float("nan"),
                       target_spread=m["spread"], spread_floor=cfg.collapse_floor, beats_copy=m["true"] < m["copy"],
                       uses_language=(m["true"] < m["shuf"]) if shuffled_ok else None,
                       no_collapse=m["spread"] > cfg.collapse_floor)


@torch.no_grad()
def stage2_gates(model: VlaJepa, held_out: list[Tensors], cfg: TrainConfig) -> Stage2Gates:
    gen = torch.Generator().manual_seed(cfg.seed + 2000)
    err = base = 0.0
    for _ in range(cfg.eval_batches):
        b = stage2_batch(held_out, cfg.batch, model.cfg.chunk_len, gen)
        pred = model.predict_actions(b["frames"], b["text"], b["state"])
        err += float((pred - b["actions"]).abs().mean())
        base += float((model.action_mean - b["actions"]).abs().mean())
    err, base = err / cfg.eval_batches, base / cfg.eval_batches
    return Stage2Gates(action_l1=err, mean_action_l1=base, beats_mean=err < base)


def describe(gates: Stage1Gates | Stage2Gates) -> list[str]:
    """Plain lines for the training report."""
    if isinstance(gates, Stage1Gates):
        lang = "n/a (one instruction only)" if gates.uses_language is None else _pf(gates.uses_language)
        return [f"  latent loss {gates.latent_loss:.4f} vs copy-current-frame {gates.copy_current_loss:.4f}: "
                f"{_pf(gates.beats_copy)}",
                f"  true instruction {gates.latent_loss:.4f} vs shuffled {gates.shuffled_instruction_loss:.4f}: {lang}",
                f"  target feature spread {gates.target_spread:.4f} (floor {gates.spread_floor}): "
                f"{_pf(gates.no_collapse)}"]
    return [f"  action L1 {gates.action_l1:.4f} vs mean-action {gates.mean_action_l1:.4f}: {_pf(gates.beats_mean)}"]


def _pf(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def as_dict(gates: Stage1Gates | Stage2Gates) -> dict:
    return {**asdict(gates), "passed": gates.passed}
