"""VLA-JEPA training runs as dataclasses (incl. ablations); the model's config and sizes are in
policies/vla_jepa/config.py."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vla_harness.harness.errors import ConfigError
from vla_harness.policies.vla_jepa.config import SIZES, ModelConfig, from_dict, model_config

LOSSES = ("l1", "smooth_l1", "cosine")
TARGETS = ("ema", "frozen")


@dataclass(frozen=True)
class TrainConfig:
    size: str = "small"
    seed: int = 0
    stage1_steps: int = 1200
    stage2_steps: int = 1200
    batch: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.05
    loss: str = "l1"  # as the official code (ginwind/VLA-JEPA: F.l1_loss on the world-model prediction)
    target: str = "frozen"  # frozen at initialisation: cannot collapse (the official target is a frozen encoder)
    ema_start: float = 0.99
    ema_end: float = 1.0
    horizon_min: int = 10  # 0.5 s at 20 Hz
    horizon_max: int = 20  # 1 s at 20 Hz
    freeze_student: bool = False  # stage 2: fine-tune the student (at encoder_lr_scale x lr) or keep it frozen
    encoder_lr_scale: float = 0.2
    stage2_latent_weight: float = 0.1  # keep this x the latent loss during stage 2 (official: wm_loss * 0.1)
    shift_px: int = 4  # training augmentation: random translation of up to +-shift_px pixels
    action_std_floor: float = 0.1  # normalise each action dim by max(std, floor): near-constant rotation dims
    # (std ~0.01 in the oracle's demos) would otherwise weigh as much as translation in the loss
    stem: str = "patch"  # model: see ModelConfig.stem
    use_state: bool = True  # model: see ModelConfig.use_state
    keypoints: int = 0  # model: see ModelConfig.keypoints
    skip_stage1: bool = False  # ablation: action head on a randomly initialised encoder
    holdout_fraction: float = 0.15
    data_seed: int = -1  # seeds the held-out split and the gates' held-out batches; -1: the training seed. Fixed
    # across training seeds, every seed of every arm trains on the same episodes
    eval_batches: int = 4
    collapse_floor: float = 0.05  # absolute floor on the target's feature spread
    collapse_fraction: float = 0.5  # relative: final target spread >= this x its spread at initialisation
    vision_error_margin: float = 0.1  # swapped images must raise held-out action L1 by >= 10%
    vision_output_fraction: float = 0.25  # image swap moves the chunk >= 0.25 x what an instruction swap does
    threads: int = 1  # one intra-op thread: on shared cores, 2 OpenMP threads were 5-20x slower here
    log_every: int = 50

    @property
    def split_seed(self) -> int:
        return self.seed if self.data_seed < 0 else self.data_seed

    def validate(self) -> "TrainConfig":
        if self.loss not in LOSSES:
            raise ConfigError(f"loss '{self.loss}' not allowed; choose from {', '.join(LOSSES)}")
        if self.target not in TARGETS:
            raise ConfigError(f"target '{self.target}' not allowed; choose from {', '.join(TARGETS)}")
        if self.size not in SIZES:
            raise ConfigError(f"size '{self.size}' not allowed; choose from {', '.join(SIZES)}")
        if not 1 <= self.horizon_min <= self.horizon_max:
            raise ConfigError(f"need 1 <= horizon_min <= horizon_max, got {self.horizon_min}, {self.horizon_max}")
        return self


# Named training runs: `vla-harness train --preset NAME`; every field can be overridden with --set k=v.
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(size="tiny", stage1_steps=30, stage2_steps=30, batch=8, log_every=10, eval_batches=2),
    "small": dict(size="small"),
    "small_no_stage1": dict(size="small", skip_stage1=True, stage2_latent_weight=0.0),
    "small_ema_target": dict(size="small", target="ema"),
    "base": dict(size="base", stage1_steps=20000, stage2_steps=10000, batch=64, threads=0),
}


def train_config(preset: str, overrides: dict[str, Any] | None = None) -> TrainConfig:
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset '{preset}'; choose from {', '.join(PRESETS)}")
    return from_dict(TrainConfig, {**PRESETS[preset], **(overrides or {})}).validate()


def run_model_config(cfg: TrainConfig, **fields: Any) -> ModelConfig:
    """The model a training run builds: its size's config with the run's model fields (those TrainConfig shares with
    ModelConfig by name, e.g. stem, use_state, keypoints) and `fields` applied."""
    shared = {f.name for f in dataclasses.fields(ModelConfig)} & {f.name for f in dataclasses.fields(TrainConfig)}
    overrides = {name: getattr(cfg, name) for name in shared}
    return dataclasses.replace(model_config(cfg.size), **overrides, **fields).validate()


__all__ = ["TrainConfig", "PRESETS", "ConfigError", "train_config", "run_model_config"]
