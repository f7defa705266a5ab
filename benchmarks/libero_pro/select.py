"""LIBERO-PRO filters: axes (`--axes`), base suites (`--suites`), and yes/no bench options; one-line errors."""

from __future__ import annotations

from typing import Any, Sequence

from vla_harness.benchmarks.libero_plus.select import _items
from vla_harness.benchmarks.libero_pro.catalog import ALIASES, AXES, SUFFIX, SUITES, refusal
from vla_harness.harness.config import ConfigError


def parse_axes(value: Any) -> tuple[str, ...]:
    """Axis names (aliases such as swap, lan, env accepted); 'all' or nothing: the protocol's five."""
    names = [ALIASES.get(n.lower(), n.lower()) for n in _items(value)]
    if names in ([], ["all"]):
        return AXES
    for n in names:
        if n not in AXES:
            raise ConfigError(_unknown_axis(n))
    return tuple(a for a in AXES if a in names)


def _unknown_axis(name: str) -> str:
    why = next((refusal(f"{s}_{name}") for s in SUITES if refusal(f"{s}_{name}")), None)
    allowed = ", ".join(f"{a} (_{SUFFIX[a]})" for a in AXES)
    if why:
        return f"LIBERO-PRO axis '{name}' is refused: {why}; the protocol's axes are {allowed}"
    return f"unknown LIBERO-PRO axis '{name}'; allowed: {allowed} (docs/libero_pro.md)"


def parse_suites(value: Sequence[str] | None) -> tuple[str, ...]:
    names = tuple(value) if value else SUITES
    for name in names:
        if name in SUITES:
            continue
        why = refusal(name)
        if why:
            raise ConfigError(f"{name} is refused: {why}; libero_pro takes the base suites {', '.join(SUITES)} "
                              "and --axes for the perturbations")
        raise ConfigError(f"libero_pro has base suites {', '.join(SUITES)}; got {name} (pick perturbations with "
                          "--axes)")
    return names


def parse_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"libero_pro option {name} must be true or false; got '{value}'")
