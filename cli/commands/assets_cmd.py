"""`vla-harness assets`: what each benchmark family needs, what is here, what is missing and what it would unlock;
`vla-harness assets fetch FAMILY`: download the official archives into the user cache (nothing else downloads)."""

from __future__ import annotations

import argparse
import importlib
import sys

FAMILIES = {"libero_plus": "vla_harness.benchmarks.libero_plus.fetch",
            "simpler_bridge": "vla_harness.benchmarks.simpler.fetch"}


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


def _show(family: str, pieces) -> list[str]:
    lines = [f"\n{family}"]
    for p in pieces:
        lines.append(f"  [{'ok' if p.present else 'missing'}] {p.name}")
        if p.path is not None:
            lines.append(f"      at: {p.path}" + (f"  ({_size(p.size)})" if p.size is not None else ""))
        if p.verified:
            lines.append(f"      verified: {p.verified}")
        lines.append(f"      {'gives' if p.present else 'unlocks'}: {p.unlocks}")
        if not p.present and p.get:
            lines.append(f"      get it: {p.get}")
    return lines


def list_assets(args: argparse.Namespace) -> int:
    from vla_harness.benchmarks.asset_cache import CACHE_ENV, cache_root

    print(f"asset cache: {cache_root(args.dir)}  (move it with --dir or ${CACHE_ENV}; `assets fetch` downloads into it,"
          " `eval` never downloads)")
    for family, module in FAMILIES.items():
        print("\n".join(_show(family, importlib.import_module(module).inventory(args.dir))))
    return 0


def fetch(args: argparse.Namespace) -> int:
    module = importlib.import_module(FAMILIES[args.family])
    where = module.fetch(args.dir, mirror=args.mirror, progress=not args.no_progress, keep_archive=args.keep_archive,
                         force=args.force)
    print(f"{args.family}: assets ready in {where}; the benchmark finds them there with no option", file=sys.stderr)
    print("\n".join(_show(args.family, module.inventory(args.dir))))
    return 0


def add_fetch_options(parser: argparse.ArgumentParser, dir_help: str, force_help: str) -> None:
    """The options every download command takes (`assets fetch`, `env setup`)."""
    parser.add_argument("--dir", default=argparse.SUPPRESS, help=dir_help)
    parser.add_argument("--mirror", help="fetch https://HOST/PATH as MIRROR/HOST/PATH instead (a local mirror)")
    parser.add_argument("--force", action="store_true", help=force_help)
    parser.add_argument("--no-progress", action="store_true")


def register(sub) -> None:
    p = sub.add_parser("assets", help="list benchmark assets (present, missing, what they unlock); `assets fetch`")
    p.add_argument("--dir", help="asset cache folder (default: $VLA_HARNESS_ASSETS, else "
                   "$XDG_CACHE_HOME/vla-harness/assets)")
    p.set_defaults(func=list_assets)
    actions = p.add_subparsers(dest="action")
    f = actions.add_parser("fetch", help="download a family's official asset archives into the cache (resumable)")
    f.add_argument("family", choices=sorted(FAMILIES))
    add_fetch_options(f, "asset cache folder (as for `assets --dir`)", "download again what was already fetched")
    f.add_argument("--keep-archive", action="store_true", help="keep the downloaded archives after unpacking")
    f.set_defaults(func=fetch)
