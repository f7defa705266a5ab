"""VLA-JEPA's model config as a dataclass and its sizes (tiny / small / base); training runs are in
training/vla_jepa/config.py."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vla_harness.harness.errors import ConfigError

STEMS = ("patch", "conv")
CAMERAS = ("agentview", "eye_in_hand")  # recorder names; the sim calls the wrist camera robot0_eye_in_hand


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


SIZES: dict[str, ModelConfig] = {
    "tiny": ModelConfig(image_size=32, patch=8, dim=32, depth=1, heads=2, pred_depth=1, head_depth=1),
    "small": ModelConfig(),
    "base": ModelConfig(image_size=128, patch=16, dim=384, depth=8, heads=6, pred_depth=4, head_depth=2),
}


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


def model_config(size: str) -> ModelConfig:
    if size not in SIZES:
        raise ConfigError(f"size '{size}' not allowed; choose from {', '.join(SIZES)}")
    return SIZES[size].validate()


__all__ = ["ModelConfig", "SIZES", "ConfigError", "model_config", "from_dict", "to_dict"]
