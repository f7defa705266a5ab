"""`vla-harness compare BASELINE CANDIDATE`: the regression check for CI (exit 1 only on a significant drop)."""

from __future__ import annotations

import argparse
import sys
import traceback

from vla_harness.harness.config import ConfigError
from vla_harness.harness.errors import one_line


def run(args: argparse.Namespace) -> int:
    """Exit 1 means a regression and nothing else: 0 OK, 2 a usage or data error, 3 refused (the runs are not
    comparable as they are: missing keys, errors left, another protocol), 4 a crash."""
    try:
        return _run(args)
    except Exception as exc:  # noqa: BLE001
        if one_line(exc) is not None:
            raise
        traceback.print_exc()
        print("error: compare crashed (exit 4, not a regression verdict)", file=sys.stderr)
        return 4


def _run(args: argparse.Namespace) -> int:
    from vla_harness.results.compare import CompareRefused, check_complete, compare, render
    from vla_harness.results.health import state_notes
    from vla_harness.results.load import load_run, protocol_diff

    if not 0 <= args.tolerance < 1:
        raise ConfigError(f"--tolerance is a fraction of episodes in [0, 1), e.g. 0.02; got {args.tolerance}")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be in (0, 1), e.g. 0.05; got {args.alpha}")
    base, cand = load_run(args.baseline), load_run(args.candidate)
    notes = []
    if base.protocol_hash != cand.protocol_hash:
        diff = "; ".join(protocol_diff(base, cand))
        if not args.allow_protocol_mismatch:
            raise CompareRefused(f"baseline and candidate were run under different protocols "
                                 f"({base.protocol_hash} vs {cand.protocol_hash}): {diff} "
                                 "(pass --allow-protocol-mismatch to compare anyway)")
        notes.append(f"PROTOCOL MISMATCH (allowed): {diff}")
    if base.config.get("seed") != cand.config.get("seed"):
        notes.append(f"note: run seeds differ ({base.config.get('seed')} vs {cand.config.get('seed')}): same episode "
                     "keys, but stochastic parts were drawn differently")
    notes += state_notes(base) + state_notes(cand)
    notes += check_complete(base.records, cand.records, args.allow_missing)
    comp = compare(base.records, cand.records, args.tolerance, args.alpha)
    comp.notes[:0] = notes
    print(render(comp, f"{args.baseline} ({base.label})", f"{args.candidate} ({cand.label})"))
    return 1 if comp.regression else 0


def register(sub) -> None:
    p = sub.add_parser("compare", help="regression check: is CANDIDATE significantly worse than BASELINE? (exit 1)")
    p.add_argument("baseline", metavar="BASELINE_RUN")
    p.add_argument("candidate", metavar="CANDIDATE_RUN")
    p.add_argument("--tolerance", type=float, default=0.02,
                   help="drop in success rate (fraction) that is tolerated (default 0.02 = 2 points)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--allow-protocol-mismatch", action="store_true",
                   help="compare runs with different protocol hashes anyway (the differences are printed)")
    p.add_argument("--allow-missing", action="store_true",
                   help="compare the shared keys of an incomplete candidate (missing keys, errors not resumed) "
                        "instead of refusing (exit 3); the output says what was left out")
    p.set_defaults(func=run)
