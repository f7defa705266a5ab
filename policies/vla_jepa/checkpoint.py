"""Checkpoint directory: model.safetensors + config.json + manifest.json + instructions.json (text-embedding cache)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from vla_harness.harness.errors import UserError
from vla_harness.policies.vla_jepa.config import ConfigError, ModelConfig, from_dict, to_dict
from vla_harness.policies.vla_jepa.model import VlaJepa
from vla_harness.policies.vla_jepa.text import TextCache

FILES = ("model.safetensors", "config.json", "manifest.json", "instructions.json")
DEFAULT = Path(__file__).resolve().parents[2] / "checkpoints" / "vla_jepa_v2_s1"


class CheckpointError(UserError, ValueError):
    pass


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def save(out: str | Path, model: VlaJepa, train_cfg: dict[str, Any], manifest: dict[str, Any],
         texts: TextCache) -> Path:
    from safetensors.torch import save_file

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    _write_json(out / "config.json", {"model": to_dict(model.cfg), "train": train_cfg})
    _write_json(out / "manifest.json", manifest)
    _write_json(out / "instructions.json", texts.to_json())
    return out


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"checkpoint file {path} is unreadable: {exc}") from exc


def load(path: str | Path) -> tuple[VlaJepa, TextCache, dict[str, Any]]:
    """Load any size; every problem is a one-line CheckpointError naming the file and what was expected."""
    root = Path(path)
    if not root.is_dir():
        raise CheckpointError(f"checkpoint '{root}' is not a directory (expected one holding {', '.join(FILES)})")
    missing = [f for f in FILES if not (root / f).is_file()]
    if missing:
        raise CheckpointError(f"checkpoint '{root}' lacks {', '.join(missing)} (expected {', '.join(FILES)})")
    config = _read_json(root / "config.json")
    try:
        cfg = from_dict(ModelConfig, config["model"]).validate()
    except (KeyError, TypeError, ConfigError) as exc:
        raise CheckpointError(f"checkpoint '{root}' config.json has a bad model config: {exc}") from exc
    model = VlaJepa(cfg)
    _load_state(model, root / "model.safetensors")
    model.eval()
    meta = {"config": config, "manifest": _read_json(root / "manifest.json")}
    return model, TextCache(_read_json(root / "instructions.json")), meta


def _load_state(model: VlaJepa, file: Path) -> None:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        state = load_file(str(file))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{file} is not a readable safetensors file: {exc}") from exc
    expected = model.state_dict()
    missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{file} does not match config.json: missing {missing[:3]}, unexpected {extra[:3]}")
    for key, value in expected.items():
        if tuple(state[key].shape) != tuple(value.shape):
            raise CheckpointError(f"{file} does not match config.json: '{key}' has shape {tuple(state[key].shape)}, "
                                  f"config needs {tuple(value.shape)}")
    model.load_state_dict(state)


def digest(path: str | Path) -> str:
    """sha256 over the checkpoint's files (name and content, in FILES order): the same weights anywhere give one
    digest; any changed byte gives another. Reports label and separate runs by it."""
    total = hashlib.sha256()
    for name in FILES:
        content = hashlib.sha256()
        with open(Path(path) / name, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                content.update(block)
        total.update(f"{name}\0{content.hexdigest()}\n".encode())
    return total.hexdigest()


def size_bytes(path: str | Path) -> int:
    return sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file())


__all__ = ["CheckpointError", "save", "load", "DEFAULT", "digest", "size_bytes", "torch"]
