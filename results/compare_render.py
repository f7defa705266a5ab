"""`compare`'s output: the text table and verdict (default), GitHub Markdown for a CI job summary, or JSON for tools.
The verdict is the exit code in every format: 0 OK, 1 regression, 3 no verdict (cannot judge or refused)."""

from __future__ import annotations

import json
import math
from typing import Any

from tabulate import tabulate

from vla_harness.results.comparison import Comparison, Scope
from vla_harness.results.tables import pct

TESTS = ("tests: exact McNemar on the paired episodes AND a cluster-robust (CR1) paired t-test by task with tasks - 1 "
         "degrees of freedom; a regression needs both significant and the drop beyond the tolerance, or one task "
         "worse beyond the tolerance by exact McNemar at alpha / tasks")
TESTS_UNPAIRED = ("tests: Newcombe interval (episodes) AND a cluster-robust (CR1) interval by task; a regression needs "
                  "both to exclude 0 and the drop beyond the tolerance")


def _pts(x: float) -> str:
    """A signed difference in percentage points."""
    return "-" if math.isnan(x) else f"{100 * x:+.1f}"


def _interval(ci: tuple[float, float]) -> str:
    return "-" if math.isnan(ci[0]) else f"[{_pts(ci[0])}, {_pts(ci[1])}]"


def _row(s: Scope) -> list[str]:
    n = str(s.n1) if s.pairs else f"{s.n1} / {s.n2}"
    disc = f"{s.pairs.only1} / {s.pairs.only2}" if s.pairs else "-"
    p = "-" if s.p_value is None else f"{s.p_value:.4g}"
    c = s.clustered
    tasks, cci = (str(c.clusters), _interval(c.ci)) if c else ("-", "-")
    cp = "-" if c is None or c.p_value is None else f"{c.p_value:.4g}"
    return [s.name, n, pct(s.p1), pct(s.p2), _pts(s.diff), _interval(s.ci), disc, p, tasks, cci, cp]


def table(comp: Comparison) -> str:
    level = f"{100 * (1 - comp.alpha):g}%"
    heads = ["scope", "pairs" if comp.paired else "n base / cand", "baseline %", "candidate %", "diff (pts)",
             f"{level} CI (Newcombe)", "base-only / cand-only wins", "p (exact McNemar)", "tasks",
             f"{level} CI (clustered by task)", "p (clustered t)"]
    rows = [_row(comp.overall), *map(_row, comp.rows)]
    return tabulate(rows, headers=heads, tablefmt="github", disable_numparse=True)


def _details(comp: Comparison) -> list[str]:
    lines = [TESTS if comp.paired else TESTS_UNPAIRED]
    return lines + ([comp.gate.describe()] if comp.gate else [])


def render(comp: Comparison, baseline: str = "baseline", candidate: str = "candidate") -> str:
    return "\n".join([f"baseline:  {baseline}", f"candidate: {candidate}", *comp.notes, *_details(comp), "",
                      table(comp), "", verdict(comp)])


def _tests(comp: Comparison) -> str:
    o = comp.overall
    first = (f"exact McNemar p = {o.p_value:.4g}" if comp.paired else
             f"Newcombe {100 * (1 - comp.alpha):g}% interval [{100 * o.ci[0]:+.1f}, {100 * o.ci[1]:+.1f}]")
    c = o.clustered
    if c is None or c.p_value is None:
        return first + "; one task: no clustered test"
    return first + f"; clustered t p = {c.p_value:.4g} ({c.df} df)"


def verdict(comp: Comparison) -> str:
    o = comp.overall
    drop = f"{-100 * o.diff:.1f} points" if o.diff < 0 else "no drop"
    rule = f"tolerance {100 * comp.tolerance:.1f} points, alpha {comp.alpha:g}"
    if comp.overall_drop:
        return f"REGRESSION: candidate is worse by {drop} ({_tests(comp)}; {rule}) -> exit 1"
    if comp.regression:
        tasks = "; ".join(f"{s.name} worse by {-100 * s.diff:.1f} points ({s.pairs.only1} of {s.n1} pairs lost, "
                          f"{s.pairs.only2} won, exact McNemar p = {s.p_value:.3g})" for s in comp.broken[:3])
        more = f" and {len(comp.broken) - 3} more" if len(comp.broken) > 3 else ""
        return (f"REGRESSION: {tasks}{more}; significant at alpha / {comp.overall.clustered.clusters} tasks "
                f"(overall {drop}; {_tests(comp)}; {rule}) -> exit 1")
    if comp.cannot_judge:
        head = "OK (UNDERPOWERED, --allow-underpowered)" if comp.allow_underpowered else "CANNOT JUDGE"
        return (f"{head}: no significant drop beyond the tolerance ({drop}; {_tests(comp)}; {rule}), but "
                f"{comp.gate.shortfall()} -> exit {comp.exit_code}")
    why = "the drop is within the tolerance" if o.diff >= -comp.tolerance else "the drop is not significant"
    if o.diff >= 0:
        why = "the candidate is not worse"
    return f"OK: {why} ({drop}; {_tests(comp)}; {rule}) -> exit 0"


def headline(comp: Comparison) -> str:
    return verdict(comp).split(":", 1)[0]


def markdown(comp: Comparison, baseline: str, candidate: str) -> str:
    """For a CI job summary ($GITHUB_STEP_SUMMARY): headline, runs, table, notes, verdict."""
    notes = [f"- {line}" for line in (*comp.notes, *_details(comp))]
    return "\n".join([f"### vla-harness compare: {headline(comp)}", "", f"- baseline: `{baseline}`",
                      f"- candidate: `{candidate}`", "", table(comp), "", *notes, "", f"**{verdict(comp)}**", ""])


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(x, 6)


def _scope(s: Scope) -> dict[str, Any]:
    c = s.clustered
    return {"scope": s.name, "n_baseline": s.n1, "n_candidate": s.n2, "baseline_rate": _num(s.p1),
            "candidate_rate": _num(s.p2), "diff": _num(s.diff), "ci_newcombe": [_num(v) for v in s.ci],
            "p_mcnemar": _num(s.p_value),
            "discordant": {"baseline_only": s.pairs.only1, "candidate_only": s.pairs.only2} if s.pairs else None,
            "clustered": None if c is None else {"tasks": c.clusters, "se": _num(c.se),
                                                 "ci": [_num(v) for v in c.ci], "p": _num(c.p_value)}}


def as_json(comp: Comparison, baseline: str, candidate: str) -> str:
    g = comp.gate
    gate = None if g is None else {
        "detect": g.detect, "power": g.power, "achieved_power": _num(g.achieved), "min_detectable_drop": _num(g.mdd),
        "enough": g.enough, "tasks": g.design.tasks, "episodes": g.design.episodes,
        "needed_per_task": None if g.enough else g.needed_per_task}
    body = {"verdict": headline(comp), "exit_code": comp.exit_code, "text": verdict(comp), "baseline": baseline,
            "candidate": candidate, "paired": comp.paired, "tolerance": comp.tolerance, "alpha": comp.alpha,
            "tests": TESTS if comp.paired else TESTS_UNPAIRED, "overall": _scope(comp.overall),
            "rows": [_scope(r) for r in comp.rows], "broken_tasks": [_scope(s) for s in comp.broken], "power": gate,
            "notes": comp.notes}
    return json.dumps(body, indent=2)
