"""`vla-harness compare BASELINE CANDIDATE`: the regression check for CI (exit 1 only on a significant drop)."""

from __future__ import annotations

import argparse
import sys
import traceback

from vla_harness.harness.config import ConfigError
from vla_harness.harness.errors import one_line

EXIT_CODES = """exit status (the verdict, in every --format):
  0  OK: no significant drop beyond the tolerance, and the sample could have seen one of --detect points
  1  REGRESSION: the candidate is worse by more than --tolerance, significant by both tests
  2  bad input (usage, unreadable run, no episodes to compare)
  3  no verdict: CANNOT JUDGE (the sample is too small to detect --detect at --power; --allow-underpowered
     accepts it) or REFUSED (not comparable: missing keys, errors left to resume, another protocol)
  4  compare itself crashed (never a verdict)
`vla-harness plan` sizes a run so that compare can judge it."""


def run(args: argparse.Namespace) -> int:
    """Exit 1 means a regression and nothing else (EXIT_CODES)."""
    try:
        return _run(args)
    except Exception as exc:  # noqa: BLE001
        shown = one_line(exc)
        if shown is not None:
            _report_refusal(args, shown[0], shown[1])
            raise
        traceback.print_exc()
        print("error: compare crashed (exit 4, not a regression verdict)", file=sys.stderr)
        return 4


def _report_refusal(args: argparse.Namespace, message: str, code: int) -> None:
    """In md/json, a run that gets no verdict still says why on stdout (a CI summary shows it); stderr has the line."""
    if args.format == "md":
        print(f"### vla-harness compare: {'REFUSED' if code == 3 else 'ERROR'}\n\n{message} (exit {code})\n")
    elif args.format == "json":
        import json

        print(json.dumps({"verdict": "REFUSED" if code == 3 else "ERROR", "exit_code": code, "text": message}))


def _check_options(args: argparse.Namespace) -> None:
    if not 0 <= args.tolerance < 1:
        raise ConfigError(f"--tolerance is a fraction of episodes in [0, 1), e.g. 0.02; got {args.tolerance}")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be in (0, 1), e.g. 0.05; got {args.alpha}")
    if not 0.5 <= args.power < 1:
        raise ConfigError(f"--power must be in [0.5, 1), e.g. 0.8; got {args.power}")
    if not args.tolerance < args.detect <= 1:
        raise ConfigError(f"--detect must be above --tolerance ({args.tolerance:g}) and at most 1: a drop at the "
                          f"tolerance is flagged at most half the time; got {args.detect}")


def protocol_refusal(base, cand) -> str:
    """One short line: the first differing protocol fields with both values (results/load.py, as `report` says it)."""
    from vla_harness.results.load import protocol_diff_line

    return (f"baseline and candidate ran under different protocols: {protocol_diff_line(base, cand)}; "
            "--allow-protocol-mismatch compares anyway")


def _run(args: argparse.Namespace) -> int:
    from vla_harness.results.compare import CompareRefused, check_complete, compare
    from vla_harness.results.compare_render import as_json, markdown, render
    from vla_harness.results.health import state_notes
    from vla_harness.results.load import load_run

    _check_options(args)
    base, cand = load_run(args.baseline), load_run(args.candidate)
    notes = []
    if base.protocol_hash != cand.protocol_hash:
        if not args.allow_protocol_mismatch:
            raise CompareRefused(protocol_refusal(base, cand))
        notes.append("PROTOCOL MISMATCH (allowed): " + protocol_refusal(base, cand).split(": ", 1)[1].split(";")[0])
    if base.config.get("seed") != cand.config.get("seed"):
        notes.append(f"note: run seeds differ ({base.config.get('seed')} vs {cand.config.get('seed')}): same episode "
                     "keys, but stochastic parts were drawn differently")
    notes += state_notes(base) + state_notes(cand)
    notes += check_complete(base.records, cand.records, args.allow_missing)
    comp = compare(base.records, cand.records, args.tolerance, args.alpha, args.detect, args.power,
                   args.allow_underpowered)
    comp.notes[:0] = notes
    names = (f"{args.baseline} ({base.label})", f"{args.candidate} ({cand.label})")
    shown = {"text": render, "md": markdown, "json": as_json}[args.format]
    print(shown(comp, *names))
    return comp.exit_code


def register(sub) -> None:
    p = sub.add_parser("compare", help="regression check: is CANDIDATE significantly worse than BASELINE? (exit 1)",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("baseline", metavar="BASELINE_RUN")
    p.add_argument("candidate", metavar="CANDIDATE_RUN")
    p.add_argument("--tolerance", type=float, default=0.02,
                   help="drop in success rate (fraction) that is tolerated (default 0.02 = 2 points)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--detect", type=float, default=0.10,
                   help="the drop the sample must be able to detect, else CANNOT JUDGE (default 0.10 = 10 points)")
    p.add_argument("--power", type=float, default=0.8, help="probability of detecting --detect (default 0.8)")
    p.add_argument("--allow-underpowered", action="store_true",
                   help="say OK (exit 0) even when the sample cannot detect --detect; the output still says so")
    p.add_argument("--format", choices=("text", "md", "json"), default="text",
                   help="text (default), md (GitHub Markdown, e.g. >> $GITHUB_STEP_SUMMARY) or json")
    p.add_argument("--allow-protocol-mismatch", action="store_true",
                   help="compare runs with different protocol hashes anyway (the differences are printed)")
    p.add_argument("--allow-missing", action="store_true",
                   help="compare the shared keys of an incomplete candidate (missing keys, errors not resumed) "
                        "instead of refusing (exit 3); the output says what was left out")
    p.set_defaults(func=run)
