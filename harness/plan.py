"""The run plan, built once per start or resume: config -> protocol -> hash -> specs -> env keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from vla_harness.harness.config import ConfigError, RunConfig
from vla_harness.harness.manifest import hashed_config, protocol_hash
from vla_harness.harness.protocols import BenchProtocol, BenchSelection
from vla_harness.harness.secrets import redact_config
from vla_harness.harness.targets import Targets, build, check_options
from vla_harness.harness.types import EpisodeSpec
from vla_harness.harness.vision_probe import OTHER_EPISODE, donors

MAX_EPISODES = 1_000_000


@dataclass(frozen=True)
class RunPlan:
    """Everything a run is, before anything runs; start, execute and the runners read it, none rebuilds it."""

    config: RunConfig
    targets: Targets
    protocol: BenchProtocol
    protocol_hash: str
    specs: tuple[EpisodeSpec, ...]
    env_keys: Mapping[str, str]  # episode key -> env key: episodes with one env key can share a warm env
    donors: Mapping[str, EpisodeSpec] = field(default_factory=dict)  # vision probe other_episode: whose images

    def env_key(self, spec: EpisodeSpec) -> str:
        return self.env_keys[spec.key]


def selection_of(cfg: RunConfig) -> BenchSelection:
    return BenchSelection(suites=tuple(cfg.suites) if cfg.suites else None,
                          tasks=tuple(int(t) for t in cfg.tasks) if cfg.tasks is not None else None,
                          trials=cfg.trials, max_steps=cfg.max_steps)


def hash_fields(cfg: RunConfig) -> dict:
    """The config fields that change what a run's numbers mean (hashed with the protocol; not the policy), as the
    manifest stores them (a secret option redacted; a vision probe only when set, harness/manifest.py)."""
    return hashed_config(redact_config(cfg.to_dict()))


def plan_run(cfg: RunConfig, targets: Targets) -> RunPlan:
    """Build the benchmark once and write down the run; a selection that matches nothing is a ConfigError."""
    cfg.validate()
    bench = build("benchmark", cfg.bench, targets.bench, cfg.bench_options)
    if cfg.policy_options:  # a bad -P is refused before any run directory exists (none given: nothing to import)
        check_options("policy", cfg.policy, targets.policy, cfg.policy_options)
    protocol = bench.protocol()
    specs = _unique(bench.episodes(selection_of(cfg), cfg.seed))
    if len(specs) > MAX_EPISODES:
        raise ConfigError(f"the selection is {len(specs):,} episodes of '{cfg.bench}'; a run holds at most "
                          f"{MAX_EPISODES:,}: split it into several runs")
    if not specs:
        raise ConfigError(f"the selection matches no episodes of '{cfg.bench}' "
                          f"(suites={cfg.suites}, tasks={cfg.tasks})")
    env_keys = {s.key: bench.env_key(s) for s in specs}
    donor_map = donors(specs) if cfg.vision_probe == OTHER_EPISODE else {}
    return RunPlan(cfg, targets, protocol, protocol_hash(protocol, hash_fields(cfg)), specs, env_keys, donor_map)


def _unique(specs) -> tuple[EpisodeSpec, ...]:
    """Each episode key once, in first-seen order (`--tasks 0,0,0` or a suite named twice would repeat episodes)."""
    seen: dict[str, EpisodeSpec] = {}
    for spec in specs:
        seen.setdefault(spec.key, spec)
    return tuple(seen.values())
