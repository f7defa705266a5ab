"""VLA-JEPA networks: a language-conditioned ViT student, its target (EMA or frozen copy), a latent predictor
and a light action head. No pixel decoder anywhere: the only training signal in stage 1 is latent prediction."""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.nn import functional as F

from vla_harness.policies.vla_jepa.config import ModelConfig


def _blocks(dim: int, heads: int, depth: int) -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=4 * dim, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)


def _stem(cfg: ModelConfig) -> nn.Module:
    """Pixels -> one token per patch. The conv stem (stride 2, 2, 2) gives small-data ViTs the locality prior that
    a single patch projection lacks."""
    if cfg.stem == "patch":
        return nn.Conv2d(3, cfg.dim, cfg.patch, cfg.patch)
    width = max(16, cfg.dim // 2)
    return nn.Sequential(nn.Conv2d(3, width, 3, 2, 1), nn.GELU(), nn.Conv2d(width, width, 3, 2, 1), nn.GELU(),
                         nn.Conv2d(width, cfg.dim, 3, 2, 1))


class Encoder(nn.Module):
    """ViT over one or more camera frames; optional instruction token. Input (B, C, 3, H, W) float in [0, 1]."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.patch = _stem(cfg)
        n = cfg.tokens_per_camera * len(cfg.cameras)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.dim) * 0.02)
        self.lang = nn.Linear(cfg.text_dim, cfg.dim)
        self.no_lang = nn.Parameter(torch.zeros(1, 1, cfg.dim))
        self.blocks = _blocks(cfg.dim, cfg.heads, cfg.depth)
        self.norm = nn.LayerNorm(cfg.dim)

    def forward(self, frames: torch.Tensor, text: torch.Tensor | None = None) -> torch.Tensor:
        b, c = frames.shape[:2]
        x = self.patch(frames.flatten(0, 1) * 2.0 - 1.0)  # (B*C, D, h, w)
        x = x.flatten(2).transpose(1, 2).reshape(b, -1, self.cfg.dim) + self.pos
        lang = self.no_lang.expand(b, 1, -1) if text is None else self.lang(text)[:, None]
        x = self.blocks(torch.cat([lang, x], dim=1))
        return self.norm(x[:, 1:])  # patch tokens only: (B, N, D)


class Predictor(nn.Module):
    """Maps student tokens + instruction + horizon to the target encoder's tokens of a future frame."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.lang = nn.Linear(cfg.text_dim, cfg.dim)
        self.horizon = nn.Embedding(cfg.max_horizon + 1, cfg.dim)
        self.blocks = _blocks(cfg.dim, cfg.heads, cfg.pred_depth)
        self.out = nn.Linear(cfg.dim, cfg.dim)
        self.residual = cfg.residual_predictor
        if self.residual:  # starts as "the future looks like now" and learns the change
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)
        self.max_horizon = cfg.max_horizon

    def forward(self, tokens: torch.Tensor, text: torch.Tensor, horizon: torch.Tensor) -> torch.Tensor:
        cond = self.lang(text)[:, None] + self.horizon(horizon.clamp(0, self.max_horizon))[:, None]
        x = self.blocks(torch.cat([cond, tokens + cond], dim=1))
        # Without the residual the student cannot pass its own tokens through: to predict the target's tokens of the
        # future it has to encode what is in the image.
        out = self.out(x[:, 1:])
        return tokens + out if self.residual else out


class Keypoints(nn.Module):
    """K spatial-softmax keypoints per camera over the student's patch grid: the expected (x, y) of each of K learned
    feature maps, one token. Positions are what a pick-and-place action needs; attention pooling finds them slowly."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.side, self.cams, self.k = cfg.image_size // cfg.patch, len(cfg.cameras), cfg.keypoints
        self.logits = nn.Linear(cfg.dim, cfg.keypoints)
        grid = (torch.arange(self.side, dtype=torch.float32) + 0.5) / self.side * 2.0 - 1.0
        ys, xs = torch.meshgrid(grid, grid, indexing="ij")
        self.register_buffer("xy", torch.stack([xs.flatten(), ys.flatten()], dim=1), persistent=False)
        self.out = nn.Linear(2 * cfg.keypoints * self.cams, cfg.dim)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        b = tokens.shape[0]
        logits = self.logits(tokens).reshape(b, self.cams, self.side * self.side, self.k)
        points = torch.einsum("bcnk,nd->bckd", logits.softmax(dim=2), self.xy)  # (B, C, K, 2)
        return self.out(points.reshape(b, -1))[:, None]


class ActionHead(nn.Module):
    """Chunk-length learned queries attend over student tokens + a proprio token; outputs a normalised chunk."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.queries = nn.Parameter(torch.randn(1, cfg.chunk_len, cfg.dim) * 0.02)
        self.state = nn.Linear(cfg.state_dim, cfg.dim) if cfg.use_state else None
        self.keypoints = Keypoints(cfg) if cfg.keypoints > 0 else None
        self.lang = nn.Linear(cfg.text_dim, cfg.dim)
        layer = nn.TransformerDecoderLayer(cfg.dim, cfg.heads, dim_feedforward=4 * cfg.dim, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.decoder = nn.TransformerDecoder(layer, cfg.head_depth)
        self.out = nn.Sequential(nn.LayerNorm(cfg.dim), nn.Linear(cfg.dim, cfg.action_dim))

    def forward(self, tokens: torch.Tensor, text: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        extra = [] if self.state is None else [self.state(state)[:, None]]
        extra += [] if self.keypoints is None else [self.keypoints(tokens)]
        memory = torch.cat([*extra, self.lang(text)[:, None], tokens], dim=1)
        q = self.queries.expand(tokens.shape[0], -1, -1)
        return self.out(self.decoder(q, memory))  # (B, chunk_len, action_dim)


class VlaJepa(nn.Module):
    """All parts together; buffers hold the action / state normalisation so a checkpoint is self-contained."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg.validate()
        self.student = Encoder(cfg)
        self.target = copy.deepcopy(self.student)
        self.target.requires_grad_(False)
        self.predictor = Predictor(cfg)
        self.action_head = ActionHead(cfg)
        self.register_buffer("action_mean", torch.zeros(cfg.action_dim))
        self.register_buffer("action_std", torch.ones(cfg.action_dim))
        self.register_buffer("state_mean", torch.zeros(cfg.state_dim))
        self.register_buffer("state_std", torch.ones(cfg.state_dim))

    @torch.no_grad()
    def encode_target(self, future: torch.Tensor) -> torch.Tensor:
        """Stop-gradient target tokens of the future frames, layer-normed per token (no affine)."""
        tokens = self.target(future, None)
        return F.layer_norm(tokens, tokens.shape[-1:])

    def predict_latent(self, frames: torch.Tensor, text: torch.Tensor, horizon: torch.Tensor) -> torch.Tensor:
        return self.predictor(self.student(frames, text), text, horizon)

    def predict_actions(self, frames: torch.Tensor, text: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """Actions in the data's units: (B, chunk_len, action_dim)."""
        state_n = (state - self.state_mean) / self.state_std
        norm = self.action_head(self.student(frames, text), text, state_n)
        return norm * self.action_std + self.action_mean


def latent_loss(pred: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Per-sample loss (B,) between predicted and target tokens."""
    if kind == "l1":
        return (pred - target).abs().mean(dim=(1, 2))
    if kind == "smooth_l1":
        return F.smooth_l1_loss(pred, target, reduction="none").mean(dim=(1, 2))
    if kind == "cosine":
        return (1.0 - F.cosine_similarity(pred, target, dim=-1)).mean(dim=1)
    raise ValueError(f"unknown latent loss '{kind}'")


def momentum(step: int, total: int, start: float, end: float) -> float:
    """Cosine schedule from start to end over training (V-JEPA / I-JEPA style)."""
    if total <= 1:
        return end
    frac = min(max(step / (total - 1), 0.0), 1.0)
    return end - (end - start) * (math.cos(math.pi * frac) + 1.0) / 2.0


@torch.no_grad()
def ema_update(target: nn.Module, student: nn.Module, m: float) -> None:
    """target <- m * target + (1 - m) * student, parameter by parameter."""
    for t, s in zip(target.parameters(), student.parameters()):
        t.mul_(m).add_(s.detach(), alpha=1.0 - m)


def feature_spread(target_tokens: torch.Tensor) -> float:
    """Std across samples of each (token, dim) of the target, averaged: ~0 means representation collapse."""
    return float(target_tokens.std(dim=0).mean())
