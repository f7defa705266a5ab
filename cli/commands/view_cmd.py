"""`vla-harness view RUN [RUN2 ...] --out DIR [--serve]`: a static site to look at runs (docs/viewer.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vla_harness.harness.config import ConfigError


def run(args: argparse.Namespace) -> int:
    from vla_harness.results.paper import PUBLISHED_CSV
    from vla_harness.results.view.site import ViewOptions, build_site

    if args.port is not None and not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be in 0-65535 (0: any free port), got {args.port}")
    published = None if args.published == "none" else Path(args.published or PUBLISHED_CSV)
    opts = ViewOptions(labels=args.label, published=published, allow_protocol_mismatch=args.allow_protocol_mismatch,
                       plots=not args.no_plots, videos=args.videos)
    index = build_site(args.run_dirs, Path(args.out), opts)
    print(f"wrote {index} (open it in a browser: nothing is loaded from the network)")
    if args.serve:
        from vla_harness.results.view.serve import serve

        serve(index.parent, 8000 if args.port is None else args.port, args.serve_seconds)
    return 0


def register(sub) -> None:
    p = sub.add_parser("view", help="a static site (index.html + assets) to look at runs; --serve serves it locally")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="first run = baseline of the side-by-side view")
    p.add_argument("--out", required=True, metavar="DIR", help="where to write index.html, data.js, assets/, plots/")
    p.add_argument("--label", action="append", metavar="NAME", help="name per RUN_DIR, in order (as in report)")
    p.add_argument("--serve", action="store_true", help="then serve DIR on http://127.0.0.1:PORT/ until Ctrl-C")
    p.add_argument("--port", type=int, metavar="PORT", help="with --serve (default 8000; 0: any free port)")
    p.add_argument("--serve-seconds", type=float, metavar="S", help="with --serve: stop after S seconds")
    p.add_argument("--videos", default="copy", choices=("copy", "link", "none"),
                   help="episode videos: copy into DIR/videos (default), link them relatively, or leave them out")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--published", metavar="CSV", help="published baseline rows (default results/published.csv; 'none')")
    p.add_argument("--allow-protocol-mismatch", action="store_true",
                   help="show runs with different protocol hashes together (the differences are noted)")
    p.set_defaults(func=run)
