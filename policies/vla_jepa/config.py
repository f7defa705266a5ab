"""VLA-JEPA configs as dataclasses: model sizes (tiny / small / base) and training runs (incl. ablations)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vla_harness.harness.errors import UserError

LOSSES = ("l1", "smooth_l1", "cosine")
TARGETS = ("ema", "frozen")
STEMS = ("patch", "conv")
CAMERAS = ("agentview", "eye_in_hand")  # recorder names; the sim calls the wrist camera robot0_eye_in_hand


class ConfigError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class ModelConfig:
    image_size: int = 64  # frames are resized to this before patching
    render_size: int = 0  # size of the recorded frames (the adapter asks the sim for this); 0 = image_size
    patch: int = 8
    cameras: tuple[str, ...] = CAMERAS
    dim: int = 64
    depth: int = 3
    heads: int = 4
    pred_depth: int = 2
    head_depth: int = 1
    text_dim: int = 384  # all-MiniLM-L6-v2 sentence embedding
    state_dim: int = 8  # eef position (3) + axis-angle (3) + gripper fingers (2); 5 = no orientation (old)
    chunk_len: int = 8
    action_dim: int = 7
    max_horizon: int = 32  # future offsets (steps) the predictor can be asked about
    residual_predictor: bool = False  # True: predictor outputs student tokens + a learned change (old shortcut)
    stem: str = "patch"  # "patch": one strided conv per patch (plain ViT); "conv": 3 small convs, then tokens
    use_state: bool = True  # False: the action head gets no proprio token and must read the arm from the images
    keypoints: int = 0  # > 0: the action head also gets K spatial-softmax keypoints (x, y) per camera (robomimic)

    @property
    def tokens_per_camera(self) -> int:
        return (self.image_size // self.patch) ** 2

    def validate(self) -> "ModelConfig":
        if self.image_size % self.patch:
            raise ConfigError(f"image_size {self.image_size} must be a multiple of patch {self.patch}")
        if self.dim % self.heads:
            raise ConfigError(f"dim {self.dim} must be a multiple of heads {self.heads}")
        if self.stem not in STEMS:
            raise ConfigError(f"stem '{self.stem}' not allowed; choose from {', '.join(STEMS)}")
        if self.stem == "conv" and self.patch != 8:
            raise ConfigError(f"stem 'conv' downsamples by 8: needs patch 8, got {self.patch}")
        bad = [c for c in self.cameras if c not in CAMERAS]
        if bad or not self.cameras:
            raise ConfigError(f"cameras {list(self.cameras)} not allowed; choose from {list(CAMERAS)}")
        return self


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


SIZES: dict[str, ModelConfig] = {
    "tiny": ModelConfig(image_size=32, patch=8, dim=32, depth=1, heads=2, pred_depth=1, head_depth=1),
    "small": ModelConfig(),
    "base": ModelConfig(image_size=128, patch=16, dim=384, depth=8, heads=6, pred_depth=4, head_depth=2),
}

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


def from_dict(cls, data: dict[str, Any]):
    """Build a config dataclass, naming unknown fields instead of raising a TypeError."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} field(s) {', '.join(unknown)}; allowed: {', '.join(known)}")
    fixed = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return cls(**fixed)


def to_dict(cfg) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def run_model_config(cfg: TrainConfig, **fields: Any) -> ModelConfig:
    """The model a training run builds: its size's config with the run's model fields (those TrainConfig shares with
    ModelConfig by name, e.g. stem, use_state, keypoints) and `fields` applied."""
    shared = {f.name for f in dataclasses.fields(ModelConfig)} & {f.name for f in dataclasses.fields(TrainConfig)}
    overrides = {name: getattr(cfg, name) for name in shared}
    return dataclasses.replace(model_config(cfg.size), **overrides, **fields).validate()


def model_config(size: str) -> ModelConfig:
    if size not in SIZES:
        raise ConfigError(f"size '{size}' not allowed; choose from {', '.join(SIZES)}")
    return SIZES[size].validate()


__all__ = ["ModelConfig", "TrainConfig", "SIZES", "PRESETS", "ConfigError", "train_config", "model_config",
           "run_model_config", "from_dict", "to_dict"]
