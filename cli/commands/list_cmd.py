"""`vla-harness list [BENCH]`: registered benchmarks and policies, or one benchmark's suites and tasks."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from vla_harness.benchmarks import BENCHMARKS
    from vla_harness.policies import POLICIES

    if args.bench:
        return list_tasks(args.bench, args.bench_opt)
    for title, registry in (("benchmarks", BENCHMARKS), ("policies", POLICIES)):
        print(f"{title}:")
        for name in registry.names():
            print(f"  {name:<18} {registry.describe(name)}")
    print("`vla-harness list BENCH` lists a benchmark's suites and tasks (the ids --tasks takes)")
    return 0


def list_tasks(bench: str, bench_opts: list[str]) -> int:
    """One line per task: suite, id (what --tasks takes), instruction, and how many episodes one trial gives."""
    from vla_harness.cli.resolve import build_benchmark
    from vla_harness.harness.config import parse_kv
    from vla_harness.harness.protocols import BenchSelection

    benchmark = build_benchmark(bench, parse_kv(bench_opts, "-B/--bench-opt"))
    protocol = benchmark.protocol()
    tasks: dict[tuple[str, int], list] = {}
    for spec in benchmark.episodes(BenchSelection(trials=1), 0):
        tasks.setdefault((spec.suite, spec.task_id), []).append(spec)
    steps: dict[str, set[int]] = {}
    for (suite, _), specs in tasks.items():
        steps.setdefault(suite, set()).update(s.max_steps for s in specs)
    trials = protocol.trials_per_task
    print(f"{bench}: {len(tasks)} tasks; {trials} trial{'s' if trials != 1 else ''} per task by the protocol; "
          "max steps " + ", ".join(f"{suite} {'/'.join(map(str, sorted(v)))}" for suite, v in steps.items()))
    for (suite, task_id), specs in tasks.items():
        # a task with variants: its name, not one variant's instruction (LIBERO-Plus appends parameter words)
        text = specs[0].task_name.replace("_", " ") if len(specs) > 1 else specs[0].instruction
        variants = f"  ({len(specs)} variants)" if len(specs) > 1 else ""
        print(f"  {suite:<16} {task_id:>3}  {text}{variants}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("list", help="list registered benchmarks and policies, or one benchmark's tasks")
    p.add_argument("bench", nargs="?", metavar="BENCH", help="list this benchmark's suites and tasks")
    p.add_argument("-B", "--bench-opt", action="append", default=[], metavar="K=V", help="benchmark option")
    p.set_defaults(func=run)
