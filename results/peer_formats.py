"""A run in the result formats of two peers, with the fields their own code writes, so it can go onto their boards.

lerobot `eval_info.json`: huggingface/lerobot, src/lerobot/scripts/lerobot_eval.py, `eval_policy_all` (per_task /
per_group / overall) and `eval_main` (writes it), tag v0.6.1 (commit 7e241bd630a3), unchanged at 7427f31801f9.
vla-eval aggregate JSON: allenai/vla-evaluation-harness, src/vla_eval/results/export.py `_build_aggregate` and
results/collector.py `_build_task_result` / `_aggregate_metrics`, vla-eval 0.8.0 (the version requirements.txt pins;
written to OUTPUT_DIR/<benchmark>_aggregate.json).

What the harness does not record is null, never made up: lerobot's per-episode rewards (the harness stores success,
not reward sums). Only episodes with an outcome are exported (policy faults as failures, as both peers count them);
env/infra errors (`resume` re-runs them) and skipped variants are left out and counted in the returned note.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from vla_harness.harness import __version__
from vla_harness.harness.errors import blame_of
from vla_harness.harness.types import EpisodeRecord
from vla_harness.results.aggregate import is_outcome, is_policy_fault, is_skipped, latest_by_key, natural_key
from vla_harness.results.load import RunData
from vla_harness.results.sizing import throughput

FORMATS = ("lerobot", "vla-eval")


@dataclass(frozen=True)
class Exported:
    """The records both formats hold (task order), and what was left out."""

    records: list[EpisodeRecord]
    errors: int  # env/infra errors not resumed
    skipped: int

    @property
    def note(self) -> str:
        return f"{len(self.records)} episodes ({self.errors} env/infra errors and {self.skipped} skipped left out)"


def exported(run: RunData) -> Exported:
    latest = list(latest_by_key(run.records).values())
    kept = sorted((r for r in latest if is_outcome(r) and not is_skipped(r)),
                  key=lambda r: natural_key((r.spec.suite, r.spec.task_id, r.spec.perturbation_id, r.spec.trial)))
    return Exported(kept, sum(1 for r in latest if not is_outcome(r)), sum(1 for r in latest if is_skipped(r)))


def _mean(values: list[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _videos(recs: list[EpisodeRecord], run: RunData) -> list[str]:
    return [str(run.path / r.video) for r in recs if r.video]


def _lerobot_group(recs: list[EpisodeRecord], run: RunData) -> dict[str, Any]:
    return {"avg_sum_reward": None, "avg_max_reward": None, "pc_success": _mean([bool(r.success) for r in recs]) * 100,
            "n_episodes": len(recs), "video_paths": _videos(recs, run), "predicted_video_paths": []}


def lerobot_eval_info(run: RunData) -> tuple[dict[str, Any], str]:
    out = exported(run)
    recs = out.records
    tasks: dict[tuple[str, int], list[EpisodeRecord]] = {}
    for r in recs:
        tasks.setdefault((r.spec.suite, r.spec.task_id), []).append(r)
    per_task = [{"task_group": suite, "task_id": task_id,
                 "metrics": {"sum_rewards": [None] * len(rs), "max_rewards": [None] * len(rs),
                             "successes": [bool(r.success) for r in rs], "video_paths": _videos(rs, run),
                             "predicted_video_paths": []}} for (suite, task_id), rs in tasks.items()]
    groups: dict[str, list[EpisodeRecord]] = {}
    for r in recs:
        groups.setdefault(r.spec.suite, []).append(r)
    rate = throughput(run)
    eval_s = rate.hours * 3600 if rate else sum(r.time.wall_s for r in recs)
    overall = {**_lerobot_group(recs, run), "eval_s": eval_s, "eval_ep_s": eval_s / max(1, len(recs))}
    overall = {k: overall[k] for k in ("avg_sum_reward", "avg_max_reward", "pc_success", "n_episodes", "eval_s",
                                       "eval_ep_s", "video_paths", "predicted_video_paths")}
    info = {"per_task": per_task, "per_group": {g: _lerobot_group(rs, run) for g, rs in groups.items()},
            "overall": overall}
    return info, out.note


def _vla_eval_episode(r: EpisodeRecord) -> dict[str, Any]:
    row: dict[str, Any] = {"sid": r.run_id, "eid": r.key, "episode_id": r.spec.trial,
                           "metrics": {"success": bool(r.success)}, "steps": r.steps, "elapsed_sec": r.time.wall_s,
                           "task_idx": r.spec.task_id}
    if is_policy_fault(r):  # vla-eval counts an episode with a failure_reason as a failure, as the harness does
        row["failure_reason"] = f"{r.error.kind} ({blame_of(r.error.kind).value})"
        row["failure_detail"] = r.error.message
    return row


def _vla_eval_task(name: str, episodes: list[dict[str, Any]]) -> dict[str, Any]:
    task: dict[str, Any] = {"task": name, "episodes": episodes, "num_episodes": len(episodes),
                            "avg_steps": sum(e["steps"] for e in episodes) / (len(episodes) or 1)}
    errors = sum(1 for e in episodes if e.get("failure_reason"))
    if errors:
        task["num_errors"] = errors
    task["mean_success"] = round(_mean([e["metrics"]["success"] for e in episodes]), 4)
    return task


def vla_eval_aggregate(run: RunData) -> tuple[dict[str, Any], str]:
    out = exported(run)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in out.records:  # vla-eval names a LIBERO task by its instruction
        by_task.setdefault(r.spec.instruction or r.spec.task_name, []).append(_vla_eval_episode(r))
    tasks = [_vla_eval_task(name, by_task[name]) for name in sorted(by_task)]
    episodes = [e for t in tasks for e in t["episodes"]]
    cfg = run.config
    config = {"benchmark": cfg.get("bench"), "name": cfg.get("bench"), "episodes_per_task": cfg.get("trials"),
              "max_steps": run.manifest.protocol.get("max_steps"), "tasks": cfg.get("tasks"),
              "params": {"seed": cfg.get("seed"), **(cfg.get("bench_options") or {})},
              "vla_harness": {"run_id": run.manifest.run_id, "policy": run.label,
                              "protocol_hash": run.protocol_hash}}
    body: dict[str, Any] = {
        "benchmark": cfg.get("bench") or run.bench, "mode": "sync", "harness_version": f"vla-harness {__version__}",
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(), "tasks": tasks, "config": config,
        "eval_id": run.manifest.run_id}
    if out.errors or run.manifest.status != "finished":
        body["partial"] = True  # errors left to resume, or a run that did not finish
    body["seed"] = cfg.get("seed")
    body["metric_keys"] = {"success": "mean"}
    if episodes:
        body["mean_success"] = round(_mean([e["metrics"]["success"] for e in episodes]), 4)
    body["num_episodes_total"] = len(episodes)
    body["num_errors"] = sum(t.get("num_errors", 0) for t in tasks)
    return body, out.note
