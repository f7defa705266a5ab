"""What readers say about a run before its numbers: still running or interrupted, incomplete, damaged records.

Readers never take the run's lock: they read the manifest status and the lock file's holder, and count the records.
`state_notes` are said (report, compare, export); `problems` are what `vla-harness check` and `report --strict` fail on.
"""

from __future__ import annotations

from collections import Counter

from vla_harness.harness import runlock
from vla_harness.harness.store import EPISODES
from vla_harness.results.aggregate import duplicate_keys, is_outcome, latest_by_key, natural_key
from vla_harness.results.load import RunData


def status_note(run: RunData) -> str | None:
    status = run.manifest.status
    if status is None:  # written by a harness before run status existed
        return None
    if status == "running":
        if runlock.is_held(run.path):
            holder = runlock.read_holder(run.path)
            by = f"PID {holder.pid} on {holder.host}" if holder else "another process"
            return f"{run.path}: STILL RUNNING (written by {by}): numbers are partial"
        return (f"{run.path}: INTERRUPTED (status running, but its writer is gone): "
                f"`vla-harness resume {run.path}` finishes it")
    if status in ("stopped", "failed"):
        return f"{run.path}: {status.upper()} at {run.manifest.status_at or '?'}: `vla-harness resume` finishes it"
    return None


def completeness_note(run: RunData) -> str | None:
    """Planned vs recorded, and the env/infra errors left, by kind."""
    planned = run.manifest.n_episodes or 0
    latest = latest_by_key(run.records)
    done = sum(1 for r in latest.values() if is_outcome(r))
    if not planned or done >= planned:
        return None
    left = Counter(r.error.kind for r in latest.values() if not is_outcome(r))
    errors = ", ".join(f"{k} {n}" for k, n in sorted(left.items())) or "none"
    return (f"{run.path}: INCOMPLETE: {done} of {planned} planned episodes have an outcome; "
            f"{planned - len(latest)} not run, errors left by kind: {errors} (`vla-harness resume {run.path}`)")


def problems(run: RunData) -> list[str]:
    """Damage a run must not carry silently: unreadable or ill-typed lines, a protocol block that no longer gives its
    hash, duplicate outcomes, records of another run."""
    out = [f"{run.path / EPISODES}:{n}: unreadable record ({why})" for n, why in run.bad_lines]
    edited = run.hash_problem()
    if edited:
        out.append(edited)
    dups = duplicate_keys(run.records)
    if dups:
        first = sorted(dups, key=natural_key)[0]
        out.append(f"{run.path}: {len(dups)} episode keys hold more than one final record (first: {first}, "
                   f"{dups[first]} records); the tables use the latest")
    run_id = run.manifest.run_id
    foreign = Counter(r.run_id for r in run.records if run_id and r.run_id != run_id)
    if foreign:
        out.append(f"{run.path}: {sum(foreign.values())} records belong to another run ({', '.join(sorted(foreign))})")
    return out


def state_notes(run: RunData) -> list[str]:
    notes = [n for n in (status_note(run), completeness_note(run)) if n]
    if run.torn_tail:
        notes.append(f"{run.path / EPISODES}:{run.torn_tail[0]}: torn last line ignored (a killed writer; the next "
                     "resume moves it aside)")
    return notes + problems(run)

