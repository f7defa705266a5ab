"""`make bench-view`: page weight and load time of `vla-harness view` on LIBERO-Plus-sized synthetic runs.

Writes one and two synthetic runs of 10,045 episodes each (results/synthetic.py: 7 dimensions x 5 difficulties x 287
variants, random draws, not measurements), builds the viewer for each, and opens it in headless Chromium from disk:
  ready   = navigation start -> page built (data.js parsed, every tab drawn), from the page's performance.now()
  build   = the page script alone
  filter  = the slowest single filter/search/sort over all episodes (the page's ?timing pass)
  browser = wall clock of the whole headless Chromium process (start-up, load, dump, exit)
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vla_harness.results.synthetic import libero_plus_records, write_run  # noqa: E402
from vla_harness.results.view.chromium import dump_dom, page_url  # noqa: E402
from vla_harness.results.view.site import ViewOptions, build_site  # noqa: E402


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _attr(dom: str, name: str) -> float:
    found = re.search(rf'data-{name}="([\d.]+)"', dom)
    if not found:
        raise RuntimeError(f"the page did not report data-{name}: its script failed")
    return float(found.group(1))


def measure(runs: list[Path], out: Path, repeats: int, plots: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    index = build_site(runs, out, ViewOptions(plots=plots))
    built = time.perf_counter() - t0
    samples = []
    for _ in range(repeats):
        page = dump_dom(page_url(index, query="timing=1", tab="episodes"))
        samples.append((_attr(page.dom, "ready-ms"), _attr(page.dom, "build-ms"), _attr(page.dom, "filter-max-ms"),
                        page.seconds))
        slowest = re.search(r'data-filter-slowest="([^"]*)"', page.dom)
        print(f"  {len(runs)} run(s), load {len(samples)}: slowest operation {slowest.group(1) if slowest else '?'} "
              f"{samples[-1][2]:.1f} ms", file=sys.stderr, flush=True)
    med = [statistics.median(s[i] for s in samples) for i in range(4)]
    page_kb = (_size(out) - _size(out / "plots")) / 1024 if (out / "plots").exists() else _size(out) / 1024
    return {"site_s": built,
            "data_kb": (out / "data.js").stat().st_size / 1024, "page_kb": page_kb,
            "plots_kb": _size(out / "plots") / 1024 if (out / "plots").exists() else 0.0,
            "ready_ms": med[0], "build_ms": med[1], "filter_ms": med[2], "browser_s": med[3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=287, help="per dimension x difficulty (287: 10,045 episodes)")
    parser.add_argument("--repeats", type=int, default=3, help="browser loads per page (the median is shown)")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-view-") as tmp:
        root = Path(tmp)
        rng = np.random.default_rng(0)
        runs = [write_run(root, name, libero_plus_records(rng, name, skill, args.variants), bench="libero_plus",
                          policy=name) for name, skill in (("policyA", 0.85), ("policyB", 0.7))]
        n = args.variants * 35
        print(f"synthetic LIBERO-Plus runs of {n} episodes each (random draws, not measurements)")
        print("| runs | episodes | site written (s) | data.js (kB) | page without plots (kB) | plots (kB) | "
              "ready (ms) | page script (ms) | slowest filter (ms) | browser process (s) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for k in (1, 2):
            m = measure(runs[:k], root / f"view{k}", args.repeats, not args.no_plots)
            print(f"| {k} | {k * n} | {m['site_s']:.1f} | {m['data_kb']:.0f} | {m['page_kb']:.0f} | "
                  f"{m['plots_kb']:.0f} | {m['ready_ms']:.0f} | {m['build_ms']:.0f} | {m['filter_ms']:.1f} | "
                  f"{m['browser_s']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
