"""The Wilson score interval: every success rate the harness prints carries one (live progress and report tables)."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
NAN_CI = (math.nan, math.nan)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (95% by default); (nan, nan) when n == 0."""
    if n == 0:
        return NAN_CI
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the edges, not 1 - 1e-16
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)
