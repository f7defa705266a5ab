"""Two-stage VLA-JEPA training: (1) latent future prediction from video + instruction, (2) an action-chunk head.

The report prints the learning gates (held-out episodes) and the manifest records data, steps, seeds and losses."""

from __future__ import annotations

import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from vla_harness.policies.vla_jepa.checkpoint import save
from vla_harness.policies.vla_jepa.config import to_dict
from vla_harness.policies.vla_jepa.model import VlaJepa, ema_update, latent_loss, momentum
from vla_harness.policies.vla_jepa.text import TextCache
from vla_harness.training.vla_jepa import gates as G
from vla_harness.training.vla_jepa.config import ConfigError, TrainConfig, run_model_config
from vla_harness.training.vla_jepa.data import Split, norm_stats, shift, split_episodes, stage1_batch, stage2_batch


@dataclass
class TrainResult:
    model: VlaJepa
    manifest: dict
    texts: TextCache
    report: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.manifest["gates"]["all_passed"])


def _lr(step: int, total: int, base: float) -> float:
    warm = max(1, total // 20)
    if step < warm:
        return base * (step + 1) / warm
    return base * 0.5 * (1.0 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def _set_lr(opt: torch.optim.Optimizer, step: int, total: int, base: float) -> None:
    for group in opt.param_groups:
        group["lr"] = _lr(step, total, base) * group.get("scale", 1.0)


def latent_step_loss(model: VlaJepa, data: Split, cfg: TrainConfig, gen: torch.Generator) -> torch.Tensor:
    """One batch of the latent objective: predict the target's tokens of a future frame from the current one.
    Current and future frames of a sample get the same random shift (augmentation)."""
    b = stage1_batch(data.train, cfg.batch, cfg.horizon_min, cfg.horizon_max, gen)
    cams = b["frames"].shape[1]
    both = shift(torch.cat([b["frames"], b["future"]], dim=1), cfg.shift_px, gen)
    target = model.encode_target(both[:, cams:])
    return latent_loss(model.predict_latent(both[:, :cams], b["text"], b["horizon"]), target, cfg.loss).mean()


def train_stage1(model: VlaJepa, data: Split, cfg: TrainConfig, log: Callable[[str], None]) -> list[list[float]]:
    """Student + predictor learn to predict the target's tokens of a frame 0.5-1 s ahead; the target is EMA/frozen."""
    params = list(model.student.parameters()) + list(model.predictor.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)
    curve: list[list[float]] = []
    model.train()
    for step in range(cfg.stage1_steps):
        _set_lr(opt, step, cfg.stage1_steps, cfg.lr)
        loss = latent_step_loss(model, data, cfg, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if cfg.target == "ema":
            ema_update(model.target, model.student, momentum(step, cfg.stage1_steps, cfg.ema_start, cfg.ema_end))
        if step % cfg.log_every == 0 or step == cfg.stage1_steps - 1:
            curve.append([step, round(loss.item(), 5)])
            log(f"stage 1 step {step:5d}  latent loss {loss.item():.4f}")
    model.eval()
    return curve


def _stage2_groups(model: VlaJepa, cfg: TrainConfig) -> list[dict]:
    groups = [{"params": list(model.action_head.parameters()), "scale": 1.0}]
    if not cfg.freeze_student:
        groups.append({"params": list(model.student.parameters()), "scale": cfg.encoder_lr_scale})
    if cfg.stage2_latent_weight > 0:
        groups.append({"params": list(model.predictor.parameters()), "scale": cfg.encoder_lr_scale})
    return groups


def train_stage2(model: VlaJepa, data: Split, cfg: TrainConfig, log: Callable[[str], None]) -> list[list[float]]:
    """Action head (and, unless frozen, the student at a lower rate) regress normalised action chunks; with
    stage2_latent_weight > 0 the latent loss stays on at that weight (as the official co-training does)."""
    groups = _stage2_groups(model, cfg)
    opt = torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen, latent_gen = torch.Generator().manual_seed(cfg.seed + 1), torch.Generator().manual_seed(cfg.seed + 3)
    curve: list[list[float]] = []
    model.train()
    model.student.train(not cfg.freeze_student)
    for step in range(cfg.stage2_steps):
        _set_lr(opt, step, cfg.stage2_steps, cfg.lr)
        b = stage2_batch(data.train, cfg.batch, model.cfg.chunk_len, gen)
        frames = shift(b["frames"], cfg.shift_px, gen)
        with torch.set_grad_enabled(not cfg.freeze_student):
            tokens = model.student(frames, b["text"])
        state = (b["state"] - model.state_mean) / model.state_std
        pred = model.action_head(tokens, b["text"], state)
        loss = torch.nn.functional.smooth_l1_loss(pred, (b["actions"] - model.action_mean) / model.action_std)
        if cfg.stage2_latent_weight > 0:
            loss = loss + cfg.stage2_latent_weight * latent_step_loss(model, data, cfg, latent_gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 1.0)
        opt.step()
        if step % cfg.log_every == 0 or step == cfg.stage2_steps - 1:
            curve.append([step, round(loss.item(), 5)])
            log(f"stage 2 step {step:5d}  loss {loss.item():.4f}")
    model.eval()
    return curve


def _data_summary(episodes: list, data: Split, sources: list[str], checksums: dict[str, str]) -> dict:
    labelled = sum(e.actions is not None for e in episodes)
    frames = sum(len(next(iter(e.frames.values()))) for e in episodes)
    return {"sources": sources, "episodes": len(episodes), "labelled_episodes": labelled,
            "unlabelled_episodes": len(episodes) - labelled, "frames": int(frames),
            "tasks": sorted({e.task_name for e in episodes}), "train_episodes": data.train_names,
            "held_out_episodes": data.held_out_names, "sha256": checksums}


def run(episodes: list, cfg: TrainConfig, sources: list[str], out: str | Path | None = None,
        log: Callable[[str], None] = print, frame_size: int = 0,
        checksums: dict[str, str] | None = None) -> TrainResult:
    """Both stages, gates, manifest; saves a checkpoint to `out` when given. `frame_size`: size the frames were
    recorded at (the adapter renders at it and resizes like training did); 0 = the episodes' own size."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    mcfg, texts, data = _prepare(episodes, cfg, frame_size)
    model = VlaJepa(mcfg)
    for key, value in norm_stats(data.train, cfg.action_std_floor).items():
        getattr(model, key).copy_(value)
    spread_init = G.target_spread(model, data.held_out, cfg)
    bank = torch.as_tensor(np.stack([texts.vectors[k] for k in sorted(texts.vectors)]))
    t0 = time.time()
    curve1 = [] if cfg.skip_stage1 else train_stage1(model, data, cfg, log)
    t1 = time.time()
    g1_mid = G.stage1_gates(model, data.held_out, cfg, bank, spread_init)
    curve2 = train_stage2(model, data, cfg, log)
    t2 = time.time()
    g1 = G.stage1_gates(model, data.held_out, cfg, bank, spread_init)  # re-measured on the FINAL weights
    g2 = G.stage2_gates(model, data.held_out, data.train, cfg, bank)
    report = _report(cfg, g1, g2)
    for line in report:
        log(line)
    manifest = {"train_config": to_dict(cfg), "model_config": to_dict(mcfg), "seed": cfg.seed,
                "data": _data_summary(episodes, data, sources, checksums or {}),
                "steps": {"stage1": 0 if cfg.skip_stage1 else cfg.stage1_steps, "stage2": cfg.stage2_steps},
                "losses": {"stage1": curve1, "stage2": curve2},
                "gates": {"stage1": G.as_dict(g1), "stage1_after_stage1": G.as_dict(g1_mid), "stage2": G.as_dict(g2),
                          "stage1_trained": not cfg.skip_stage1, "all_passed": g1.passed and g2.passed},
                "wall_s": {"stage1": round(t1 - t0, 1), "stage2": round(t2 - t1, 1)},
                "machine": {"host": platform.node(), "cpu_threads": torch.get_num_threads(),
                            "torch": torch.__version__, "python": platform.python_version()},
                "report": report}
    if out is not None:
        save(out, model, to_dict(cfg), manifest, texts)
    return TrainResult(model, manifest, texts, report)


def _prepare(episodes: list, cfg: TrainConfig, frame_size: int):
    frame_size = frame_size or int(next(iter(episodes[0].frames.values())).shape[1])
    mcfg = run_model_config(cfg, render_size=frame_size)
    texts = TextCache()
    texts.add([e.instruction for e in episodes])
    data = split_episodes(episodes, mcfg, texts.vectors, cfg.holdout_fraction, cfg.split_seed)
    if not any(e.actions is not None for e in data.held_out):
        raise ConfigError("no held-out demonstrations: the gates need at least two successful episodes of some task")
    return mcfg, texts, data


def _report(cfg: TrainConfig, g1: G.Stage1Gates, g2: G.Stage2Gates) -> list[str]:
    skipped = "  [stage 1 skipped: random encoder]" if cfg.skip_stage1 else ""
    head = "stage 1 gates (held-out episodes, final weights)" + skipped
    lines = [head, *G.describe(g1), "stage 2 gates (held-out episodes)", *G.describe(g2)]
    failed = [n for n, g in (("stage 1", g1), ("stage 2", g2)) if not g.passed]
    if failed:
        lines.append(f"GATES FAILED: {', '.join(failed)} (see above); this model did not learn what it should")
    else:
        lines.append("all learning gates passed")
    return lines
