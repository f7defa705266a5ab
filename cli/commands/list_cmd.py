"""`vla-harness list`: registered benchmarks and policies."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from vla_harness.benchmarks import BENCHMARKS
    from vla_harness.policies import POLICIES

    for title, registry in (("benchmarks", BENCHMARKS), ("policies", POLICIES)):
        print(f"{title}:")
        for name in registry.names():
            print(f"  {name:<18} {registry.describe(name)}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("list", help="list registered benchmarks and policies")
    p.set_defaults(func=run)
