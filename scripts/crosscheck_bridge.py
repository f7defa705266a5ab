"""Bridge on the official stack vs the ManiSkill3 port, on the same 24 configurations per task (docs/simpler.md).

    nice -n 10 .venv/bin/python scripts/crosscheck_bridge.py [--tasks 0,1,2] [--episodes 24] [--out DIR]

1. Official stack (run by the simpler_official environment's interpreter, the env class its child process uses):
   each episode is reset as SimplerEnv's loop resets it, its initial object poses are recorded, a scripted
   pick-and-place that reads the objects' true positions drives it to max steps, and its actions are recorded.
2. ManiSkill3 port (this interpreter): the same episode ids, their initial object poses, and the official actions
   replayed open-loop: success, grasp and the source object's final position.
3. Rendering: for episode 0 of each task the port's objects and robot are set to the official initial state and both
   stacks render the robot camera; the official frame (SAPIEN 2.2.2 through the Vulkan layer) is compared with the
   port's (SAPIEN 3.0.3, no layer) pixel by pixel.
Prints one table (markdown) and writes DIR/crosscheck.json and DIR/frames_<task>.png (official | port | |diff| x4).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SUITE = "bridge_visual_matching"
GRIP_OPEN, GRIP_CLOSE = 1.0, -1.0


PHASES = (("above", 0.08, GRIP_OPEN), ("down", 0.005, GRIP_OPEN), ("close", None, GRIP_CLOSE),
          ("lift", 0.10, GRIP_CLOSE), ("over", 0.10, GRIP_CLOSE), ("lower", 0.05, GRIP_CLOSE),
          ("open", None, GRIP_OPEN))


def oracle_action(tcp: np.ndarray, src: np.ndarray, tgt: np.ndarray, base: np.ndarray, state: dict) -> np.ndarray:
    """Above the source, down, close, lift, above the target, lower, open: deltas toward each waypoint (at most 3 cm
    per axis per step) in the robot base's frame (`base`: its rotation matrix; the WidowX faces -x, q = 0 0 0 1);
    a phase ends within 1 cm of its waypoint or after 12 steps; close/open last 3 steps."""
    name, height, grip = PHASES[min(state["phase"], len(PHASES) - 1)]
    state["n"] = state.get("n", 0) + 1
    if height is None:
        delta, done = np.zeros(3), state["n"] >= 3
    else:
        goal = (tgt if name in ("over", "lower") else src) + [0, 0, height]
        delta = base.T @ np.clip(goal - tcp, -0.03, 0.03)
        done = np.linalg.norm(goal - tcp) < 0.01 or state["n"] >= 12
    if done:
        state["phase"], state["n"] = state["phase"] + 1, 0
    return np.concatenate([delta, np.zeros(3), [grip]]).astype(np.float32)


def _pose(actor) -> list[float]:
    return [float(v) for v in (*actor.pose.p, *actor.pose.q)]


def official_side(tasks: list[int], episodes: int, out: Path) -> None:
    from vla_harness.benchmarks.asset_cache import family_dir
    from vla_harness.benchmarks.simpler.official import bridge_tasks as bt
    from vla_harness.benchmarks.simpler.official.env import OfficialEnv
    from vla_harness.benchmarks.simpler.official.stack import data_dir
    from vla_harness.harness.types import EpisodeSpec

    results, frames = {}, {}
    for task_id in tasks:
        name = bt.TASK_NAMES[task_id]
        env = OfficialEnv(SUITE, name, 0, str(data_dir()), str(family_dir("simpler_official") / "standin"))
        rows = []
        for i in range(episodes):
            spec = EpisodeSpec("simpler_bridge", SUITE, task_id, name, "", i, 0, 60, init_state_index=i)
            env.reset(spec)
            sim, state, actions = env.sim, {"phase": 0}, []
            base = sim.agent.robot.pose.to_transformation_matrix()[:3, :3]
            row = {"source": _pose(sim.episode_source_obj), "target": _pose(sim.episode_target_obj),
                   "qpos": sim.agent.robot.get_qpos().tolist()}
            if i == 0:
                frames[name] = env.render_native()
            grasped = False
            for _ in range(spec.max_steps):
                action = oracle_action(np.asarray(sim.tcp.pose.p), np.asarray(sim.episode_source_obj.pose.p),
                                       np.asarray(sim.episode_target_obj.pose.p), base, state)
                result = env.step(action)
                grasped = grasped or bool(result.info["is_src_obj_grasped"])
                actions.append(action.tolist())
            row.update(actions=actions, success=bool(result.success), grasped=grasped,
                       any_success=result.info["success_any_step"], source_end=_pose(sim.episode_source_obj)[:3])
            rows.append(row)
        results[name] = rows
        env.close()
    out.write_text(json.dumps(results))
    np.savez(out.with_suffix(".npz"), **frames)


def port_side(official: dict) -> tuple[dict, dict]:
    from vla_harness.benchmarks.simpler.assets import find_assets
    from vla_harness.benchmarks.simpler.env import SimplerBridgeEnv
    from vla_harness.benchmarks.simpler.protocol import TASKS
    from vla_harness.harness.types import EpisodeSpec

    assets, replay, renders = find_assets(), {}, {}
    for task_id, task in enumerate(TASKS):
        if task.name not in official:
            continue
        env = SimplerBridgeEnv(task, assets, assets.stage_stand_in(task.scene))
        rows = []
        for i, ref in enumerate(official[task.name]):
            env.reset(EpisodeSpec("simpler_bridge", SUITE, task_id, task.name, "", i, 0, 60, init_state_index=i))
            objs = list(env.sim.objs.values())
            row = {"source": _raw_pose(objs[0]), "target": _raw_pose(objs[1])}
            if i == 0:
                renders[task.name] = _render_in_official_state(env, ref)
                env.reset(EpisodeSpec("simpler_bridge", SUITE, task_id, task.name, "", i, 0, 60, init_state_index=i))
            grasped = False
            for action in ref["actions"]:
                result = env.step(np.asarray(action, np.float32))
                grasped = grasped or bool(result.info["is_src_obj_grasped"])
            row.update(success=bool(result.success), grasped=grasped,
                       any_success=result.info["success_any_step"], source_end=_raw_pose(objs[0])[:3])
            rows.append(row)
        replay[task.name] = rows
        env.close()
    return replay, renders


def _raw_pose(actor) -> list[float]:
    return [float(v) for v in actor.pose.raw_pose[0].cpu().numpy()]


def _render_in_official_state(env, ref: dict) -> np.ndarray:
    import torch
    from mani_skill.utils.structs.pose import Pose

    objs = list(env.sim.objs.values())
    for actor, pose in zip(objs, (ref["source"], ref["target"])):
        actor.set_pose(Pose.create_from_pq(p=torch.tensor([pose[:3]]), q=torch.tensor([pose[3:]])))
    env.sim.agent.robot.set_qpos(torch.tensor([ref["qpos"]]))
    return env.render_native()


def _position_error(a: list[float], b: list[float]) -> float:
    return float(np.linalg.norm(np.asarray(a[:3]) - np.asarray(b[:3])))


def _angle_deg(qa: list[float], qb: list[float]) -> float:
    dot = abs(float(np.dot(np.asarray(qa[3:7]), np.asarray(qb[3:7]))))
    return float(np.degrees(2 * np.arccos(min(1.0, dot))))


def _counts(rows: list[dict]) -> str:
    return f"{sum(r['success'] for r in rows)} / {sum(r['grasped'] for r in rows)}"


def summarise(official: dict, replay: dict) -> list[dict]:
    table = []
    for name, rows in official.items():
        port = replay[name]
        src_dp = [_position_error(o["source"], p["source"]) for o, p in zip(rows, port)]
        tgt_dp = [_position_error(o["target"], p["target"]) for o, p in zip(rows, port)]
        src_da = [_angle_deg(o["source"], p["source"]) for o, p in zip(rows, port)]
        end_dp = [_position_error(o["source_end"], p["source_end"]) for o, p in zip(rows, port)]
        table.append({
            "task": name, "episodes": len(rows),
            "source start diff mm (median / max)": f"{1e3 * np.median(src_dp):.1f} / {1e3 * max(src_dp):.1f}",
            "target start diff mm (median / max)": f"{1e3 * np.median(tgt_dp):.1f} / {1e3 * max(tgt_dp):.1f}",
            "source start angle diff deg (median / max)": f"{np.median(src_da):.1f} / {max(src_da):.1f}",
            "official: success / ever grasped": _counts(rows), "port replay: success / ever grasped": _counts(port),
            "same success": f"{sum(o['success'] == p['success'] for o, p in zip(rows, port))}/{len(rows)}",
            "source end diff mm (median)": f"{1e3 * np.median(end_dp):.1f}"})
    return table


def compare_frames(frames: dict, renders: dict, out: Path) -> dict:
    import cv2

    stats = {}
    for name, official in frames.items():
        port = renders[name]
        diff = np.abs(official.astype(np.int16) - port.astype(np.int16)).max(axis=2)
        stats[name] = {"mean_abs": round(float(diff.mean()), 4), "max": int(diff.max()),
                       "pixels_differing": int((diff > 0).sum()), "pixels_over_16": int((diff > 16).sum()),
                       "pixels": int(diff.size)}
        strip = np.concatenate([official, port, np.repeat(np.clip(diff * 4, 0, 255)[..., None], 3, 2)], axis=1)
        cv2.imwrite(str(out / f"frames_{name}.png"), cv2.cvtColor(strip.astype(np.uint8), cv2.COLOR_RGB2BGR))
    return stats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", default="0,1,2")
    ap.add_argument("--episodes", type=int, default=24)
    ap.add_argument("--out", default="runs/crosscheck_bridge")
    ap.add_argument("--side", choices=("official",), help=argparse.SUPPRESS)
    args = ap.parse_args()
    out, tasks = Path(args.out), [int(t) for t in args.tasks.split(",")]
    out.mkdir(parents=True, exist_ok=True)
    if args.side == "official":
        return official_side(tasks, args.episodes, out / "official.json")
    from vla_harness.benchmarks.simpler.official.stack import stack

    st = stack()
    subprocess.run([str(st.python), __file__, "--side", "official", "--tasks", args.tasks, "--episodes",
                    str(args.episodes), "--out", str(out)], env={**__import__("os").environ, **st.env_vars},
                   check=True)
    official = json.loads((out / "official.json").read_text())
    frames = dict(np.load(out / "official.npz"))
    replay, renders = port_side(official)
    table, pixels = summarise(official, replay), compare_frames(frames, renders, out)
    (out / "crosscheck.json").write_text(json.dumps({"table": table, "frames": pixels}, indent=1))
    from tabulate import tabulate

    print(tabulate(table, headers="keys", tablefmt="github"))
    print(json.dumps(pixels, indent=1))


if __name__ == "__main__":
    main()
