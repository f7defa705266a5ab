"""The SimplerEnv Google-robot protocol, written down once and hashed into every run (sources: google_tasks.py)."""

from __future__ import annotations

from pathlib import Path

from vla_harness.benchmarks.simpler.official import google_tasks as gt
from vla_harness.benchmarks.simpler.official import needs
from vla_harness.harness.conventions import UPRIGHT, ActionSpace, BenchConventions, CameraRole, Gripper, StateEntry
from vla_harness.harness.protocols import BenchProtocol

SOURCE = ("SimplerEnv (Li et al. 2024) Google robot as simpler-env/SimplerEnv@4ab7178e scripts/rt1_*.sh run "
          "simpler_env/main_inference.py on simpler-env/ManiSkill2_real2sim@ef7a4d4 (sapien 2.2.2): every episode "
          "runs to max steps, success = info['success'] at the last step")
CAMERA = "overhead_camera"
# RT-1's action as SimplerEnv's RT-1 wrapper sends it (simpler_env/policies/rt1/rt1_model.py): ee delta xyz, axis-angle
# rotation, and a *relative* gripper command in [-1, 1] (+1 closes, -1 opens; the controller is
# pd_joint_target_delta_pos). A policy with an absolute gripper gets its changes turned into such commands, each held
# for 15 steps, as the Octo wrapper does for the Google robot (octo_model.py sticky_gripper_num_repeat; see
# harness/gripper.py).
GOOGLE_GRIPPER = Gripper(6, open=-1.0, closed=1.0, relative=True, sticky_steps=15)
CONVENTIONS = BenchConventions(
    cameras=(CameraRole("primary", CAMERA, UPRIGHT, aliases=("agentview",)),),
    state=(StateEntry("ee_pose", ("eef_pos", "eef_quat_wxyz")), StateEntry("qpos", ("qpos",))),
    action=ActionSpace("google_robot_ee_delta", ("dx", "dy", "dz", "drx", "dry", "drz", "gripper"),
                       "end-effector delta xyz (m) and axis-angle (rad) in the robot base frame; gripper relative "
                       "(+1 close, -1 open, 0 keep)", GOOGLE_GRIPPER, float(gt.CONTROL_HZ)))
STAND_IN_NOTE = ("scene stage is a flat-table stand-in for the scanned one (docs/simpler.md): not directly comparable "
                 "with published SIMPLER numbers")
RASTER_NOTE = "drawer tasks rendered with the rasterising shader: not the published setup (ray tracing)"


# The table SimplerEnv papers print (Li et al. 2024, and the VLA papers that report SimplerEnv): per task, visual
# matching and variant aggregation side by side; pick coke can = the mean of its three orientations, open/close drawer
# = the mean of both, each average = the mean of its columns (results/paper_declared.py builds it from this).
PAPER_TABLE = {
    "title": "SimplerEnv Google robot: success rate (%), visual matching and variant aggregation",
    "groups": [[gt.VISUAL, "VM"], [gt.VARIANT, "VA"]],
    "columns": [["pick_coke_can", "Pick coke can", [t for t in gt.TASK_NAMES if t.endswith("coke_can")]],
                ["move_near", "Move near", ["move_near"]],
                ["drawer", "Open/close drawer", ["open_drawer", "close_drawer"]],
                ["put_apple_in_drawer", "Apple in drawer", ["put_apple_in_drawer"]]],
    "average": "Average"}


def google_protocol(tree: Path, raster: bool) -> BenchProtocol:
    scenes = {c.scene: c for tasks in gt.SUITES.values() for configs in tasks.values() for c in configs}
    stages = {scene: needs.stage_identity(c, tree) for scene, c in sorted(scenes.items())}
    extra = {
        "suites": {s: {t: len(c) for t, c in tasks.items()} for s, tasks in gt.SUITES.items()},
        "max_steps_per_task": {t: gt.SUITES[gt.VISUAL][t][0].max_steps for t in gt.TASK_NAMES},
        "sim_hz": gt.SIM_HZ, "control_mode": gt.CONTROL_MODE, "robot": "google_robot_static",
        "sources": "simpler-env/SimplerEnv@4ab7178e, simpler-env/ManiSkill2_real2sim@ef7a4d4",
        "success": "info['success'] at the episode's last step; grasp/lift/move/drawer stats in metrics",
        "image": f"{CAMERA} 640x512 with the real-photo overlay (visual matching), resized to size x size "
                 "(cv2 INTER_AREA); upright",
        "stages": stages, "stage_stand_in": any(v.startswith("stand-in") for v in stages.values()),
        "shader": "rasterising for ray-traced tasks (not the published setup)" if raster else "as published",
    }
    notes = [STAND_IN_NOTE] if extra["stage_stand_in"] else []
    if raster:
        notes.append(RASTER_NOTE)
    if notes:
        extra["note"] = "; ".join(notes)
    return BenchProtocol(name="simpler_google", settle_steps=0, settle_action=(0.0,) * 7, action_dim=7,
                         control_hz=float(gt.CONTROL_HZ), max_steps=200, trials_per_task=300, cameras=(CAMERA,),
                         source=SOURCE, extra=extra, conventions=CONVENTIONS, report={"paper_table": PAPER_TABLE})


BRIDGE_SOURCE = ("SimplerEnv (Li et al. 2024) Bridge visual matching as simpler-env/SimplerEnv@4ab7178e scripts/"
                 "octo_bridge.sh runs simpler_env/main_inference.py on simpler-env/ManiSkill2_real2sim@ef7a4d4 "
                 "(sapien 2.2.2): trial i = object episode id i, every episode runs to max steps, "
                 "success = info['success'] at the last step")


def bridge_official_protocol(tree: Path) -> BenchProtocol:
    """`simpler_bridge -B stack=official`: the same tasks, camera, state and actions as the ManiSkill3 port (its
    conventions), run by the stack the published numbers came from."""
    from vla_harness.benchmarks.simpler import protocol as port
    from vla_harness.benchmarks.simpler.official import bridge_tasks as bt

    configs = bt.SUITES[port.SUITE]
    stages = {c[0].scene: needs.stage_identity(c[0], tree) for c in configs.values()}
    extra = {
        "stack": "official (simpler-env/SimplerEnv@4ab7178e, simpler-env/ManiSkill2_real2sim@ef7a4d4)",
        "env_ids": list(bt.V0_ENV_IDS), "max_steps_per_task": {t: c[0].max_steps for t, c in configs.items()},
        "robots": {t: c[0].robot for t, c in configs.items()}, "sim_hz": port.SIM_HZ,
        "control_mode": port.CONTROL_MODE, "overlays": {t: c[0].overlay for t, c in configs.items()},
        "success": "info['success'] at the episode's last step; grasp stats and success_any_step in metrics",
        "image": f"{port.CAMERA} 640x480 with the real-photo overlay, resized to size x size (cv2 INTER_AREA); upright",
        "stages": stages, "stage_stand_in": any(v.startswith("stand-in") for v in stages.values()),
    }
    if extra["stage_stand_in"]:
        extra["note"] = STAND_IN_NOTE
    return BenchProtocol(name="simpler_bridge", settle_steps=0, settle_action=(0.0,) * 7, action_dim=7,
                         control_hz=port.CONTROL_HZ, max_steps=max(extra["max_steps_per_task"].values()),
                         trials_per_task=bt.EPISODES, cameras=(port.CAMERA,), source=BRIDGE_SOURCE, extra=extra,
                         conventions=port.CONVENTIONS)
