"""`vla-harness plan`: episodes per task and in total for `compare` to detect a drop, and the time they take."""

from __future__ import annotations

import argparse
import json

from vla_harness.harness.config import ConfigError

EPILOG = """examples:
  vla-harness plan --baseline runs/base --drop 0.10          # per-task rates and episodes/hour from a stored run
  vla-harness plan --rate 0.7 --tasks 10 --drop 0.10         # an assumed success rate over 10 tasks
The model (results/power.py): the same drop in every task, candidate outcomes independent of the baseline's given the
task, compare's tests (exact McNemar and the clustered paired t-test by task, tasks - 1 degrees of freedom)."""


def _design(args: argparse.Namespace):
    from vla_harness.results.load import load_run
    from vla_harness.results.power import Design
    from vla_harness.results.sizing import baseline_design

    if (args.baseline is None) == (args.rate is None):
        raise ConfigError("give either --baseline RUN_DIR (its per-task success rates and timing) or --rate P")
    if args.baseline is not None:
        if args.tasks is not None:
            raise ConfigError("--tasks goes with --rate; with --baseline the run's own tasks are the design")
        run = load_run(args.baseline)
        design = baseline_design(run)
        if not design.tasks:
            raise ConfigError(f"{args.baseline} has no episode with an outcome to take success rates from")
        return design, run, f"{args.baseline} ({run.bench}, {design.tasks} tasks, {design.episodes} episodes)"
    if not 0 < args.rate < 1:
        raise ConfigError(f"--rate is the baseline's success rate in (0, 1), e.g. 0.7; got {args.rate}")
    tasks = 10 if args.tasks is None else args.tasks
    if tasks < 1:
        raise ConfigError(f"--tasks must be >= 1, got {tasks}")
    return Design((args.rate,) * tasks, (1,) * tasks), None, f"an assumed success rate of {args.rate:g}, {tasks} tasks"


def _check(args: argparse.Namespace) -> None:
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be in (0, 1), e.g. 0.05; got {args.alpha}")
    if not 0.5 <= args.power < 1:
        raise ConfigError(f"--power must be in [0.5, 1), e.g. 0.8; got {args.power}")
    if not 0 <= args.tolerance < args.drop <= 1:
        raise ConfigError(f"--drop must be above --tolerance ({args.tolerance:g}) and at most 1; got {args.drop}")


def _duration(hours: float) -> str:
    if hours < 1 / 60:
        return f"{hours * 3600:.0f} s"
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h"


def text(plan) -> str:
    lines = [f"plan: detect a {100 * plan.drop:.1f}-point drop with {100 * plan.power:g}% power at alpha "
             f"{plan.alpha:g} (compare's tolerance {100 * plan.tolerance:.1f} points)",
             f"baseline: {plan.source}, mean success {100 * plan.design.mean_rate:.1f}%"]
    if plan.per_task is None:
        lines.append(f"no number of episodes per task detects it: a {100 * plan.drop:.1f}-point drop is more than "
                     "these success rates can lose, or the tolerance swallows it")
        return "\n".join(lines)
    lines.append(f"episodes per task: {plan.per_task}; total per run: {plan.total} ({plan.design.tasks} tasks); "
                 f"power {100 * plan.achieved:.1f}%. Run the baseline and the candidate on these same episodes "
                 f"(--tasks, --trials {plan.per_task}, --seed): compare pairs them.")
    if plan.rate is not None:
        lines.append(f"time: {_duration(plan.hours)} per run at {plan.rate.describe()}")
    if plan.trials_limit and plan.per_task > plan.trials_limit:
        lines.append(f"note: the benchmark's protocol has {plan.trials_limit} trials per task (LIBERO: its fixed init "
                     "states); use more tasks or detect a larger drop")
    if plan.baseline_mdd is not None:
        lines.append(f"the baseline as it is ({plan.design.tasks} tasks, {plan.design.episodes} episodes) lets a "
                     f"candidate on its episodes detect drops of {100 * plan.baseline_mdd:.1f} points or more")
    return "\n".join(lines)


def as_json(plan) -> str:
    return json.dumps({"drop": plan.drop, "alpha": plan.alpha, "power": plan.power, "tolerance": plan.tolerance,
                       "tasks": plan.design.tasks, "baseline_rates": list(plan.design.rates),
                       "episodes_per_task": plan.per_task, "episodes_per_run": plan.total,
                       "achieved_power": plan.achieved, "episodes_per_hour": plan.rate.per_hour if plan.rate else None,
                       "hours_per_run": plan.hours, "trials_limit": plan.trials_limit,
                       "baseline_min_detectable_drop": plan.baseline_mdd, "source": plan.source}, indent=2)


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.sizing import make_plan

    _check(args)
    design, baseline, source = _design(args)
    plan = make_plan(design, args.drop, args.alpha, args.power, args.tolerance, source, baseline)
    print(as_json(plan) if args.format == "json" else text(plan))
    return 0


def register(sub) -> None:
    p = sub.add_parser("plan", help="episodes needed for `compare` to detect a drop, and how long they take",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", metavar="RUN_DIR", help="a stored baseline run: per-task success rates and timing")
    p.add_argument("--rate", type=float, help="assumed baseline success rate, e.g. 0.7 (instead of --baseline)")
    p.add_argument("--tasks", type=int, help="number of tasks with --rate (default 10)")
    p.add_argument("--drop", type=float, default=0.10, help="drop in success rate to detect (default 0.10)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level, as compare's (default 0.05)")
    p.add_argument("--power", type=float, default=0.8, help="probability of detecting the drop (default 0.8)")
    p.add_argument("--tolerance", type=float, default=0.02, help="compare's --tolerance (default 0.02)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)
