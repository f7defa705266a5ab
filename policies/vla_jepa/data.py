"""What VLA-JEPA's eval-time adapter shares with its training (training/vla_jepa/data.py): the frame resize."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F


def resize_frames(frames: np.ndarray, size: int) -> torch.Tensor:
    """(T,H,W,3) uint8 -> (T,3,size,size) uint8 with area averaging; the adapter uses the same function."""
    x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2)
    if x.shape[-1] != size or x.shape[-2] != size:
        x = F.interpolate(x.float(), size=(size, size), mode="area").round().clamp(0, 255).to(torch.uint8)
    return x.contiguous()
