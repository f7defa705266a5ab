"""What a run is about to do, said before its first episode: episodes, tasks, steps, and a time estimate when an
earlier run of the same policy on the same benchmark (in the same --out folder) measured a rate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vla_harness.harness.plan import RunPlan
from vla_harness.harness.progress import clock
from vla_harness.harness.store import MANIFEST, scan_records

EARLIER_RUNS = 5  # the newest run directories of --out looked at for a rate


@dataclass(frozen=True)
class Rate:
    seconds: float  # mean wall time of one finished episode
    episodes: int
    run: Path


def ranges(values: list[int]) -> str:
    """0,1,2,5 -> '0-2,5'."""
    out, vals = [], sorted(set(values))
    for v in vals:
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in out)


def plan_lines(plan: RunPlan) -> list[str]:
    cfg, specs = plan.config, plan.specs
    suites: dict[str, set[int]] = {}
    for s in specs:
        suites.setdefault(s.suite, set()).add(s.task_id)
    where = "; ".join(f"{suite} tasks {ranges(list(t))}" for suite, t in sorted(suites.items())[:6])
    where += f" (and {len(suites) - 6} more suites)" if len(suites) > 6 else ""
    steps = ranges([s.max_steps for s in specs]).replace(",", "/")
    named = (plan.protocol.extra.get("paper_protocol") or {}).get("name")
    protocol = f"protocol {named}" if named else f"protocol {plan.protocol.name}"
    workers = cfg.workers if cfg.runner == "ray" else 1
    lines = [f"plan: {len(specs)} episodes of {cfg.bench} × {cfg.policy}: {where}; max steps {steps}; {protocol}; "
             f"runner {cfg.runner}" + (f" × {workers} workers" if workers > 1 else "")]
    rate = earlier_rate(Path(cfg.out), cfg.bench, cfg.policy)
    if rate is None:
        lines.append("time: no earlier run of this policy on this benchmark in "
                     f"{Path(cfg.out)}/ to estimate from; the progress line gives an ETA once episodes finish")
    else:
        lines.append(f"time: about {clock(len(specs) * rate.seconds / workers)} at {rate.seconds:.1f} s per episode "
                     f"(measured over {rate.episodes} episodes of {rate.run})")
    return lines


def earlier_rate(out: Path, bench: str, policy: str) -> Rate | None:
    """Mean wall time per finished episode in the newest earlier run of this bench and policy under `out`."""
    try:
        runs = sorted((p for p in out.iterdir() if (p / MANIFEST).is_file()), key=lambda p: p.stat().st_mtime,
                      reverse=True)[:EARLIER_RUNS]
    except OSError:
        return None
    for run in runs:
        try:
            config = json.loads((run / MANIFEST).read_text()).get("config") or {}
        except (OSError, ValueError):
            continue
        if config.get("bench") != bench or config.get("policy") != policy:
            continue
        times = [r.time.wall_s for r in scan_records(run).records if r.error is None]
        if times:
            return Rate(sum(times) / len(times), len(times), run)
    return None
