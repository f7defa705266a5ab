"""The Python API: evaluate a policy object (or a registered policy name) inside a training loop or a notebook.

    import vla_harness
    with vla_harness.Evaluator("libero_spatial", tasks=[0, 1], trials=5, out="runs") as ev:
        for step in range(...):
            ...train...
            if step % 1000 == 0:
                result = ev.evaluate(model, name=f"step{step}")   # a run directory like `vla-harness eval` writes
                print(result.success)                              # 42.0% (21/50) [29.4, 55.8]

Each call writes a full run directory (manifest, records, lock) under `out`, so `report`, `compare` and `view` read
it like any other run. The Evaluator keeps its envs, its episode thread and a built policy warm between calls: the
second call does not construct environments again (harness/runners/warm.py). docs/python_api.md has the details.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

from vla_harness.benchmarks import BENCHMARKS
from vla_harness.cli.resolve import policy_target
from vla_harness.eval_result import EvalResult, result_of
from vla_harness.harness.config import ConfigError, RunConfig
from vla_harness.harness.evaluate import evaluate_new
from vla_harness.harness.plan import plan_run
from vla_harness.harness.protocols import Policy
from vla_harness.harness.runners.warm import WarmRunner
from vla_harness.harness.targets import Targets
from vla_harness.policies import POLICIES


class Evaluator:
    """One benchmark selection, evaluated as often as you like; close() (or `with`) frees its envs."""

    def __init__(self, bench: str = "libero_spatial", *, suites: Sequence[str] | None = None,
                 tasks: Sequence[int] | None = None, trials: int | None = None, max_steps: int | None = None,
                 seed: int = 7, out: str | Path = "runs", bench_options: dict[str, Any] | None = None,
                 video: str = "none", episode_timeout_s: float = 1800.0, progress: bool = False) -> None:
        self.config = RunConfig(bench=bench, suites=list(suites) if suites else None,
                                tasks=[int(t) for t in tasks] if tasks is not None else None, trials=trials,
                                max_steps=max_steps, seed=seed, out=str(out), bench_options=dict(bench_options or {}),
                                video=video, episode_timeout_s=episode_timeout_s).validate()
        self.bench_target = BENCHMARKS.target(bench)
        self.progress = progress
        self.runner = WarmRunner(timeout_s=episode_timeout_s)

    @property
    def envs_built(self) -> int:
        """Env constructions so far, over every call."""
        return self.runner.envs_built

    def evaluate(self, policy: Policy | str, *, name: str | None = None, label: str | None = None,
                 policy_options: dict[str, Any] | None = None) -> EvalResult:
        """Evaluate `policy` (an object with spec/reset/act/close, or a registered name / `module:Factory`) into
        a new run directory `out/name` (default bench-policy-time). The policy object is yours: never closed here."""
        t0, built = time.perf_counter(), self.envs_built
        cfg, targets = self._config(policy, name, label, policy_options)
        self.runner.given_policy = None if isinstance(policy, str) else policy
        summary = evaluate_new(plan_run(cfg, targets), progress=self.progress, runner=self.runner)
        return result_of(summary.run_dir, summary.records, summary.executed, time.perf_counter() - t0,
                         self.envs_built - built)

    def _config(self, policy: Policy | str, name: str | None, label: str | None,
                options: dict[str, Any] | None) -> tuple[RunConfig, Targets]:
        if isinstance(policy, str):
            label = label or policy
            target = policy_target(policy)
        elif isinstance(policy, Policy):
            if options:
                raise ConfigError("policy_options are for a policy given by name; a policy object is already built")
            label = label or type(policy).__name__
            if label in POLICIES.names():
                raise ConfigError(f"label '{label}' is a registered policy's name; give the object another label")
            target = f"{type(policy).__module__}:{type(policy).__qualname__}"
        else:
            raise ConfigError(f"policy must be a Policy object (spec, reset, act, close) or a registered name, got "
                              f"{type(policy).__name__}")
        cfg = RunConfig(**{**self.config.to_dict(), "policy": label, "name": name,
                           "policy_options": dict(options or {})}).validate()
        return cfg, Targets(bench=self.bench_target, policy=target)

    def close(self) -> None:
        self.runner.close()

    def __enter__(self) -> "Evaluator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def evaluate(policy: Policy | str, bench: str = "libero_spatial", *, name: str | None = None,
             label: str | None = None, policy_options: dict[str, Any] | None = None, **selection: Any) -> EvalResult:
    """One evaluation, envs closed at the end; `selection` takes the Evaluator's keywords (tasks, trials, out, ...).
    Inside a loop keep an Evaluator instead: its later calls reuse the envs."""
    with Evaluator(bench, **selection) as ev:
        return ev.evaluate(policy, name=name, label=label, policy_options=policy_options)
