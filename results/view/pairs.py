"""Two or more runs side by side, keyed by episode: which rows belong together, which flipped, and the `compare`
verdict of every candidate against the first run (the baseline), from results/compare.py itself."""

from __future__ import annotations

from typing import Any, Sequence

from vla_harness.results.aggregate import natural_key
from vla_harness.results.compare import NoEpisodes, check_complete, compare, outcomes, render, verdict
from vla_harness.results.load import RunData, protocol_diff_line

LOST, GAINED = "lost", "gained"


def _key_order(key: str) -> tuple:
    return natural_key(tuple(int(p) if p.isdigit() else p for p in key.split("/")))


def side_by_side(keys_per_run: Sequence[Sequence[str]], runs: Sequence[RunData]) -> dict[str, Any]:
    """rows[i] = the episode-table row of key i in each run (-1: not in that run; the key itself is on those rows);
    flip[i] against the baseline: lost (it succeeded in the baseline, failed in a candidate), gained, or ""
    (no change / not paired)."""
    index: dict[str, list[int]] = {}
    offset = 0
    for r, keys in enumerate(keys_per_run):
        for i, key in enumerate(keys):
            index.setdefault(key, [-1] * len(keys_per_run))[r] = offset + i
        offset += len(keys)
    finished = [{k: bool(rec.success) for k, rec in outcomes(run.records).items()} for run in runs]
    order = sorted(index, key=_key_order)
    return {"rows": [index[k] for k in order], "flip": [_flip(k, finished) for k in order]}


def _flip(key: str, finished: Sequence[dict[str, Any]]) -> str:
    if key not in finished[0]:
        return ""
    base = finished[0][key]
    if not any(key in f and f[key] != base for f in finished[1:]):
        return ""
    return LOST if base else GAINED  # against one baseline outcome a flip has one direction only


def comparison(base: RunData, cand: RunData, base_label: str, cand_label: str, allow_mismatch: bool,
               tolerance: float = 0.02, alpha: float = 0.05) -> dict[str, Any]:
    """What `vla-harness compare BASE CAND` says: its verdict and its table, or why it refuses."""
    out: dict[str, Any] = {"baseline": base_label, "candidate": cand_label}
    notes = []
    if base.protocol_hash != cand.protocol_hash:
        diff = protocol_diff_line(base, cand)
        if not allow_mismatch:
            out["refused"] = (f"different protocols ({base.protocol_hash} vs {cand.protocol_hash}): {diff}; "
                              "compare refuses them (view --allow-protocol-mismatch compares anyway)")
            return out
        notes.append(f"PROTOCOL MISMATCH (allowed): {diff}")
    try:
        comp = compare(base.records, cand.records, tolerance, alpha)
    except NoEpisodes as exc:
        out["refused"] = str(exc)
        return out
    # the page shows runs that may still be going: no refusal, but the verdict says what `compare` would refuse
    incomplete = check_complete(base.records, cand.records, allow_missing=True)
    comp.notes[:0] = notes + incomplete
    pairs = comp.overall.pairs
    said = verdict(comp)
    out.update(verdict=("INCOMPLETE, no verdict yet (`compare` refuses it): " + said) if incomplete else said,
               regression=comp.regression, cannot_judge=comp.cannot_judge, paired=comp.paired,
               incomplete=bool(incomplete),
               text=render(comp, base_label, cand_label),
               pairs=None if pairs is None else {"both": pairs.both, "only_baseline": pairs.only1,
                                                 "only_candidate": pairs.only2, "neither": pairs.neither})
    return out


def comparisons(runs: Sequence[RunData], labels: Sequence[str], allow_mismatch: bool) -> list[dict[str, Any]]:
    return [comparison(runs[0], runs[i], labels[0], labels[i], allow_mismatch) for i in range(1, len(runs))]
