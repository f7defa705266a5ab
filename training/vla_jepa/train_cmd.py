"""`vla-harness train`: train the native VLA-JEPA policy (two stages) on recorded episodes; writes a checkpoint."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from vla_harness.harness.config import ConfigError, parse_kv

READY = Path("data/READY")


def ready_datasets(ready: Path = READY) -> list[str]:
    """Dataset folders listed in data/READY (one per line; '#' comments; first token of a line is the path)."""
    if not ready.is_file():
        raise ConfigError(f"no --data given and {ready} does not exist; record demonstrations first "
                          "(see docs/vla_jepa.md) or pass --data DIR")
    paths = []
    for line in ready.read_text().splitlines():
        token = line.split("#", 1)[0].strip().split()
        if token:
            p = Path(token[0])
            paths.append(str(p if p.is_absolute() or p.exists() else ready.parent / p))
    return paths


def load_episodes(paths: list[str], per_task: int, seed: int, max_frames: int, size: int,
                  video: tuple[str, ...] = ()) -> tuple[list, int]:
    """Read recorded datasets, keep at most `per_task` episodes per task (seeded), shrink frames to `size` at once
    (memory), and drop the actions of failed rollouts and of every episode of a `video` dataset: they are video for
    stage 1, not demonstrations. Returns the episodes and the recorded frame size."""
    try:
        from vla_harness.recording.reader import read_dataset
    except ImportError as exc:
        raise ConfigError(f"the episode recorder is not available ({exc}); cannot read {paths}") from exc
    from vla_harness.policies.vla_jepa.data import resize_frames

    kept, frame_size = [], 0
    for path in paths:
        if not Path(path).exists():
            raise FileNotFoundError(f"dataset '{path}' does not exist")
        for ep in _choose(read_dataset(path), per_task, seed):
            ep = _cut(ep, max_frames)
            ep.name = f"{Path(path).name}/{ep.name}"  # demo names repeat across datasets
            frame_size = frame_size or int(next(iter(ep.frames.values())).shape[1])
            ep.frames = {k: resize_frames(v, size).permute(0, 2, 3, 1).numpy() for k, v in ep.frames.items()}
            ep.actions = ep.actions if ep.success and path not in video else None
            kept.append(ep)
    return kept, frame_size


def _choose(episodes: list, per_task: int, seed: int) -> list:
    by_task: dict[str, list] = {}
    for ep in episodes:
        by_task.setdefault(ep.task_name, []).append(ep)
    rng, out = random.Random(seed), []
    for task in sorted(by_task):
        eps = sorted(by_task[task], key=lambda e: e.name)
        rng.shuffle(eps)
        out.extend(eps[:per_task] if per_task > 0 else eps)
    return out


def _cut(ep, max_frames: int):
    """Keep the first `max_frames` steps (frames recorded every k-th step: the frames of those steps)."""
    if max_frames <= 0 or len(ep) <= max_frames:
        return ep
    steps = getattr(ep, "frame_steps", None)
    keep = max_frames if steps is None else int((steps < max_frames).sum())
    ep.frames = {k: v[:keep] for k, v in ep.frames.items()}
    if steps is not None:
        ep.frame_steps = steps[:keep]
    for name in ("actions", "ee_states", "gripper_states", "joint_states"):
        value = getattr(ep, name, None)
        if value is not None:
            setattr(ep, name, value[:max_frames])
    return ep


def dataset_checksums(paths: list[str]) -> dict[str, str]:
    """sha256 of every file of every dataset (the data is not committed; its manifest and these sums are)."""
    import hashlib

    from vla_harness.recording.reader import dataset_files

    sums = {}
    for path in paths:
        for file in dataset_files(path):
            digest = hashlib.sha256()
            with open(file, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            sums[f"{Path(path).name}/{file.name}"] = digest.hexdigest()
    return sums


def run(args: argparse.Namespace) -> int:
    from vla_harness.policies.vla_jepa.config import model_config
    from vla_harness.training.vla_jepa.config import train_config
    from vla_harness.training.vla_jepa.data import synthetic_episodes
    from vla_harness.training.vla_jepa.train import run as train

    cfg = train_config(args.preset, parse_kv(args.set, "--set"))
    if args.synthetic:
        episodes, sources = synthetic_episodes(args.synthetic, seed=cfg.seed), [f"synthetic:{args.synthetic}"]
        frame_size = 0
    else:
        sources = (args.data or ready_datasets()) + list(args.video)
        size = model_config(cfg.size).image_size
        episodes, frame_size = load_episodes(sources, args.per_task, cfg.split_seed, args.max_frames, size,
                                             tuple(args.video))
    if not episodes:
        raise ConfigError(f"no episodes found in {sources}")
    print(f"training vla_jepa preset '{args.preset}' on {len(episodes)} episodes from {', '.join(sources)}",
          file=sys.stderr)
    checksums = {} if args.synthetic else dataset_checksums(sources)
    result = train(episodes, cfg, sources, out=args.out, frame_size=frame_size, checksums=checksums)
    print(f"checkpoint: {args.out}")
    return 0 if result.passed or not args.strict else 3


def register(sub) -> None:
    p = sub.add_parser("train", help="train the native VLA-JEPA policy on recorded demonstrations")
    p.add_argument("--preset", default="small", help="tiny | small | small_no_stage1 | small_ema_target | base")
    p.add_argument("--data", nargs="+", help="recorded dataset folders (default: those listed in data/READY)")
    p.add_argument("--video", nargs="+", default=[], help="action-free datasets: stage 1 only (actions dropped)")
    p.add_argument("--out", default="checkpoints/vla_jepa_fresh", help="checkpoint directory to write")
    p.add_argument("--per-task", type=int, default=40, help="at most this many episodes per task (0 = all)")
    p.add_argument("--max-frames", type=int, default=0, help="cut episodes to this many frames (0 = keep all)")
    p.add_argument("--synthetic", type=int, default=0, metavar="N", help="train on N synthetic episodes (smoke test)")
    p.add_argument("--strict", action="store_true", help="exit with status 3 when a learning gate fails")
    p.add_argument("--set", action="append", default=[], metavar="K=V", help="override a TrainConfig field")
    p.set_defaults(func=run)
