"""The SimplerEnv Bridge visual-matching protocol, written down once (sources: SOURCE below, docs/simpler.md)."""

from __future__ import annotations

from dataclasses import dataclass

from vla_harness.harness.conventions import (
    BRIDGE_GRIPPER,
    UPRIGHT,
    ActionSpace,
    BenchConventions,
    CameraRole,
    StateEntry,
)
from vla_harness.harness.protocols import BenchProtocol

SOURCE = ("SimplerEnv (Li et al. 2024) Bridge visual matching as run by simpler_env/real2sim_eval_maniskill3.py on "
          "ManiSkill 3.0.1: trial i = reset(seed=i, episode_id=i), every episode runs to max steps, "
          "success = info['success'] at the last step")
SUITE = "bridge_visual_matching"
CAMERA = "3rd_view_camera"
CAMERA_ALIASES = {"agentview": CAMERA}  # generic policies ask for "agentview": the one third-person view
NATIVE_IMAGE = (480, 640)  # H, W of the Logitech C920 camera the overlay photo was taken with
CONTROL_HZ = 5.0
SIM_HZ = 500
TRIALS_PER_TASK = 24
CONTROL_MODE = "arm_pd_ee_target_delta_pose_align2_gripper_pd_joint_pos"
# ee_pose is the ee_gripper_link pose in the world frame, xyz + quaternion w,x,y,z (SAPIEN); qpos: 6 arm + 2 fingers.
CONVENTIONS = BenchConventions(
    cameras=(CameraRole("primary", CAMERA, UPRIGHT, aliases=tuple(CAMERA_ALIASES)),),
    state=(StateEntry("ee_pose", ("eef_pos", "eef_quat_wxyz")), StateEntry("qpos", ("qpos",))),
    action=ActionSpace("bridge_ee_delta", ("dx", "dy", "dz", "drx", "dry", "drz", "gripper"),
                       "end-effector delta xyz (m) and delta axis-angle (rad), target-aligned; gripper absolute",
                       BRIDGE_GRIPPER, CONTROL_HZ))
# ManiSkill 3.0.1 bridge_dataset_eval/base_env.py: the arm's delta pose is not normalised (normalize_action=False:
# no bound), the gripper's target is clipped to [-1, 1] and scaled (normalize_action=True).
ACTION_BOUNDS = ((None, None),) * 6 + ((-1.0, 1.0),)
# The metrics an episode records (benchmarks/simpler/env.py, from ManiSkill's evaluate() at the last step): SimplerEnv's
# partial successes, shown by `report`.
METRICS = {"is_src_obj_grasped": "the source object was grasped at some step",
           "consecutive_grasp": "it was held for 5 steps in a row at some point",
           "src_on_target": "it is on the target at the last step (the success criterion)",
           "success_any_step": "success at any step (the official score reads the last step only)"}
STAND_IN_NOTE = ("table stage is a flat-box stand-in for the scanned table (docs/simpler.md): "
                 "not directly comparable with published SIMPLER numbers; `vla-harness assets fetch simpler_bridge` "
                 "gets the real one")


@dataclass(frozen=True)
class BridgeTask:
    env_id: str
    name: str
    instruction: str
    max_steps: int
    scene: str  # "flat_table" or "sink": which stage, overlay photo and robot camera
    model_json: str
    objects: tuple[str, ...]  # model ids under custom/models/


TASKS: tuple[BridgeTask, ...] = (
    BridgeTask("PutCarrotOnPlateInScene-v1", "put_carrot_on_plate", "put carrot on plate", 60, "flat_table",
               "info_bridge_custom_v0.json", ("bridge_carrot_generated_modified", "bridge_plate_objaverse_larger")),
    BridgeTask("PutSpoonOnTableClothInScene-v1", "put_spoon_on_towel", "put the spoon on the towel", 60, "flat_table",
               "info_bridge_custom_v0.json", ("bridge_spoon_generated_modified", "table_cloth_generated_shorter")),
    BridgeTask("StackGreenCubeOnYellowCubeBakedTexInScene-v1", "stack_green_cube_on_yellow_cube",
               "stack the green block on the yellow block", 60, "flat_table", "info_bridge_custom_baked_tex_v0.json",
               ("baked_green_cube_3cm", "baked_yellow_cube_3cm")),
    BridgeTask("PutEggplantInBasketScene-v1", "put_eggplant_in_basket", "put eggplant into yellow basket", 120, "sink",
               "info_bridge_custom_v0.json", ("eggplant", "dummy_sink_target_plane", "sink")),
)

def bridge_protocol(stage_stand_in: bool, stages: dict[str, str] | None = None) -> BenchProtocol:
    """`stages`: per scene, which stage file is there (real or stand-in, with its sha256): the hash says which ran."""
    extra = {
        "env_ids": [t.env_id for t in TASKS],
        "max_steps_per_task": {t.name: t.max_steps for t in TASKS},
        "sim_hz": SIM_HZ, "control_mode": CONTROL_MODE, "sim_backend": "cpu", "shader_pack": "default",
        "success": "info['success'] at the episode's last step; success_any_step and grasp stats in metrics",
        "image": f"{CAMERA} rendered at {NATIVE_IMAGE[1]}x{NATIVE_IMAGE[0]} with the real-photo overlay, "
                 "resized to the policy's size x size (cv2 INTER_AREA); upright",
        "camera_aliases": CAMERA_ALIASES,
        "stage_stand_in": stage_stand_in,
    }
    if stages is not None:
        extra["stages"] = stages
    if stage_stand_in:
        extra["note"] = STAND_IN_NOTE
    report = {"metrics": METRICS, "paper_columns": {
        "put_carrot_on_plate": "Carrot on plate", "put_spoon_on_towel": "Spoon on towel",
        "stack_green_cube_on_yellow_cube": "Stack cubes", "put_eggplant_in_basket": "Eggplant in basket"}}
    return BenchProtocol(name="simpler_bridge", settle_steps=0, settle_action=(0.0,) * 7, action_dim=7,
                         control_hz=CONTROL_HZ, max_steps=max(t.max_steps for t in TASKS),
                         trials_per_task=TRIALS_PER_TASK, cameras=(CAMERA,), source=SOURCE, extra=extra,
                         conventions=CONVENTIONS, report=report, action_bounds=ACTION_BOUNDS)
