"""Registry names to `module:attr` targets, and the run entry points that need them (the CLI's side of the core)."""

from __future__ import annotations

from pathlib import Path

from vla_harness.harness import evaluate as run_core
from vla_harness.harness.config import RunConfig
from vla_harness.harness.evaluate import RunSummary
from vla_harness.harness.plan import RunPlan
from vla_harness.harness.plan import plan_run as plan_targets
from vla_harness.harness.targets import Targets
from vla_harness.harness.worker import RunJob


def policy_target(name: str) -> str:
    """A registered policy name, or `package.module:Factory` for a policy class that is not registered."""
    from vla_harness.policies import POLICIES

    return name if ":" in name else POLICIES.target(name)


def targets_for(bench: str, policy: str) -> Targets:
    from vla_harness.benchmarks import BENCHMARKS

    return Targets(bench=BENCHMARKS.target(bench), policy=policy_target(policy))


def plan_run(cfg: RunConfig) -> RunPlan:
    return plan_targets(cfg, targets_for(cfg.bench, cfg.policy))


def start_run(cfg: RunConfig) -> Path:
    """Plan and create a run without executing it (`resume` executes it)."""
    return run_core.start_run(plan_run(cfg))


def evaluate(cfg: RunConfig, progress: bool | str = True) -> RunSummary:
    """Plan once, create the run directory, execute every episode."""
    return run_core.evaluate_new(plan_run(cfg), progress)


def resume(run_dir: Path, progress: bool | str = True, runner_overrides: dict | None = None,
           secrets: dict[str, dict] | None = None) -> RunSummary:
    return run_core.resume(Path(run_dir), lambda manifest: targets_for(manifest.bench, manifest.policy), progress,
                           runner_overrides, secrets)


def build_policy(name: str, options: dict):
    from vla_harness.harness.targets import build

    return build("policy", name, policy_target(name), options)


def build_benchmark(name: str, options: dict):
    from vla_harness.benchmarks import BENCHMARKS
    from vla_harness.harness.targets import build

    return build("benchmark", name, BENCHMARKS.target(name), options)


def run_job(run_id: str, run_dir: str, bench: str, policy: str, **fields) -> RunJob:
    targets = targets_for(bench, policy)
    return RunJob(run_id=run_id, run_dir=run_dir, bench=bench, policy=policy, bench_target=targets.bench,
                  policy_target=targets.policy, **fields)
