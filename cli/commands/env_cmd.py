"""`vla-harness env`: simulator stacks that live in their own Python environment (pins that conflict with the main
one); `vla-harness env setup NAME` creates one (fetching its pinned sources: the one download besides
`assets fetch`)."""

from __future__ import annotations

import argparse
import importlib
import sys

from vla_harness.cli.commands.assets_cmd import add_fetch_options

STACKS = {"simpler_official": "vla_harness.benchmarks.simpler.official.stack"}


def show(args: argparse.Namespace) -> int:
    for name, module_name in STACKS.items():
        module = importlib.import_module(module_name)
        python = module.stack(args.dir).python
        state = f"ready ({python})" if python.is_file() else f"not set up: run `vla-harness env setup {name}`"
        print(f"{name}: {state}")
    return 0


def setup(args: argparse.Namespace) -> int:
    module = importlib.import_module(STACKS[args.name])
    python = module.setup(args.dir, mirror=args.mirror, progress=not args.no_progress, force=args.force)
    print(f"{args.name}: ready; its envs run in child processes of {python}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("env", help="simulator stacks in their own Python environment; `env setup NAME` creates one")
    p.add_argument("--dir", help="asset cache folder the sources go to (default: as for `vla-harness assets`)")
    p.set_defaults(func=show)
    actions = p.add_subparsers(dest="action")
    s = actions.add_parser("setup", help="fetch the stack's pinned sources and create its environment")
    s.add_argument("name", choices=sorted(STACKS))
    add_fetch_options(s, "asset cache folder (as for `vla-harness env --dir`)", "fetch the sources again")
    s.set_defaults(func=setup)
