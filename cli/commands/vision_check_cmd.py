"""`vla-harness vision-check NORMAL_RUN PROBE_RUN...`: does the policy lose its successes without its camera?"""

from __future__ import annotations

import argparse

from vla_harness.harness.config import ConfigError


def run(args: argparse.Namespace) -> int:
    """0 pass, 1 fail, 2 usage or data error, 3 refused or incomplete (not the same setup, a probe missing)."""
    from vla_harness.results.compare import CompareRefused
    from vla_harness.results.load import load_run
    from vla_harness.results.vision_check import render, vision_check

    if not 0 <= args.max_kept < 1:
        raise ConfigError(f"--max-kept is a fraction in [0, 1), e.g. 0.5; got {args.max_kept}")
    check = vision_check(load_run(args.normal), [load_run(p) for p in args.probed], args.max_kept,
                         allow_missing=args.allow_missing)
    print(render(check))
    if check.missing:
        return CompareRefused.exit_code
    return 0 if check.passed else 1


def register(sub) -> None:
    p = sub.add_parser("vision-check", help="closed-loop vision check: a normal run against the same policy run "
                       "with --vision-probe first_frame and other_episode (exit 1 when it fails)")
    p.add_argument("normal", metavar="NORMAL_RUN")
    p.add_argument("probed", metavar="PROBE_RUN", nargs="+", help="runs with --vision-probe (one per probe)")
    p.add_argument("--max-kept", type=float, default=0.5,
                   help="the most of its normal successes a policy may keep under a probe (default 0.5)")
    p.add_argument("--allow-missing", action="store_true",
                   help="pair the shared keys of incomplete probe runs instead of refusing (exit 3)")
    p.set_defaults(func=run)
