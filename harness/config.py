"""RunConfig: what to evaluate and how; YAML files and `--set a.b=c` overrides."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vla_harness.harness.errors import ConfigError
from vla_harness.harness.shapes import ShapeError, check_fields

VIDEO_MODES = ("none", "failures", "all")
RUNNERS = ("local", "ray")
MAX_TRIALS = 1000  # per task; LIBERO's protocol runs 50: beyond this a typo, not a study (the plan is held in memory)
VISION_PROBES = ("none", "first_frame", "other_episode")  # harness/vision_probe.py


@dataclass
class RunConfig:
    bench: str = "libero_spatial"
    policy: str = "random"
    suites: list[str] | None = None
    tasks: list[int] | None = None
    trials: int | None = None
    max_steps: int | None = None
    bench_options: dict[str, Any] = field(default_factory=dict)
    policy_options: dict[str, Any] = field(default_factory=dict)
    seed: int = 7
    runner: str = "local"
    workers: int = 1
    ray_address: str | None = None
    ray_start_timeout_s: float = 600.0  # Ray: no worker up after this long (cluster full or gone) stops the run
    episode_timeout_s: float = 1800.0
    max_attempts: int = 2
    video: str = "none"
    vision_probe: str = "none"  # harness/vision_probe.py: first_frame | other_episode replace the camera input
    out: str = "runs"
    name: str | None = None

    def validate(self) -> "RunConfig":
        if self.video not in VIDEO_MODES:
            raise ConfigError(f"--video must be one of {', '.join(VIDEO_MODES)}, got '{self.video}'")
        if self.vision_probe not in VISION_PROBES:
            raise ConfigError(f"--vision-probe must be one of {', '.join(VISION_PROBES)}, got '{self.vision_probe}'")
        if self.runner not in RUNNERS:
            raise ConfigError(f"--runner must be one of {', '.join(RUNNERS)}, got '{self.runner}'")
        if self.max_steps is not None and (isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int)
                                           or self.max_steps < 1):
            raise ConfigError(f"--max-steps must be an integer >= 1 (or left out for the protocol's), "
                              f"got {self.max_steps!r}")
        if self.trials is not None and not 1 <= self.trials <= MAX_TRIALS:
            raise ConfigError(f"--trials must be 1-{MAX_TRIALS} (episodes per task), got {self.trials}")
        if self.tasks is not None:
            self.tasks = list(dict.fromkeys(self.tasks))  # --tasks 0,0,0 is task 0 once
        if self.workers < 1:
            raise ConfigError(f"--workers must be >= 1, got {self.workers}")
        if self.name is not None:
            check_run_name(self.name)
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "RunConfig":
        known = {f.name for f in dataclasses.fields(RunConfig)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown config field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(known))}")
        try:
            check_fields(RunConfig, {k: v for k, v in d.items() if v is not None}, "", partial=True)
        except ShapeError as exc:
            raise ConfigError(f"config field {exc}") from None
        return RunConfig(**d)


MAX_NAME = 200


def check_run_name(name: object) -> str:
    """A run name is one plain path component: joined to --out, anything else could point at a folder we do not own."""
    text = name if isinstance(name, str) else ""
    bad = (not text or text in (".", "..") or "/" in text or "\\" in text or len(text) > MAX_NAME
           or any(ord(c) < 32 or ord(c) == 127 for c in text))
    if bad:
        raise ConfigError(f"--name must be one plain folder name (no '/', '.', '..', control characters; at most "
                          f"{MAX_NAME} characters), got {str(name)[:60]!r}")
    return text


def load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--config {path} is not a YAML file ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ConfigError(f"config file {path} is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping")
    RunConfig.from_dict(data)  # its fields and their types, checked before flags are merged into it
    return data


def parse_value(text: str) -> Any:
    """`--set` values are YAML scalars/lists: 3, 0.5, true, [0,1], none."""
    value = yaml.safe_load(text)
    return None if value in ("none", "None") else value


def parse_kv(items: list[str], flag: str) -> dict[str, Any]:
    """`key=value` flags (values parsed like --set) into a dict; a missing '=' is a one-line error."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"{flag} expects key=value, got '{item}'")
        out[key.strip()] = parse_value(value)
    return out


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    for dotted, value in parse_kv(overrides, "--set").items():
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {dotted}: '{part}' is not a mapping")
        node[leaf] = value
    return data
