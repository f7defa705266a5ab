"""Every official Google-robot configuration of SimplerEnv, as its own evaluation scripts run them (simpler-env/
SimplerEnv@4ab7178e scripts/rt1_{pick_coke_can,move_near,drawer,put_in_drawer}_{visual_matching,variant_agg}.sh with
simpler_env/evaluation/argparse.py and maniskill2_evaluator.py): trial i of a task is the i-th episode those scripts
run, in their loop order (URDF or variant, then robot x, y, rotation, then object x, y or episode id)."""

from __future__ import annotations

import numpy as np

from vla_harness.benchmarks.simpler.official.episode_config import GOOGLE, Config

VISUAL, VARIANT = "visual_matching", "variant_aggregation"
CONTROL_HZ, SIM_HZ, CONTROL_MODE = GOOGLE.control_hz, GOOGLE.sim_hz, GOOGLE.control_mode
URDFS = (None, "recolor_tabletop_visual_matching_1", "recolor_tabletop_visual_matching_2",
         "recolor_cabinet_visual_matching_1")  # the pick/move scripts' order
DRAWER_URDFS = ("recolor_cabinet_visual_matching_1", "recolor_tabletop_visual_matching_1",
                "recolor_tabletop_visual_matching_2", None)  # the drawer scripts' order
COKE = {"horizontal": {"lr_switch": True}, "vertical": {"laid_vertically": True}, "standing": {"upright": True}}
COKE_SCENE = "google_pick_coke_can_1_v4"
# the drawer scripts' nine robot poses, each with its overlay photo: (x, y, yaw)
DRAWER_POSES = {"a0": (0.644, -0.179, -0.03), "a1": (0.765, -0.182, -0.02), "a2": (0.889, -0.203, -0.06),
                "b0": (0.652, 0.009, 0.0), "b1": (0.752, 0.009, 0.0), "b2": (0.851, 0.035, 0.0),
                "c0": (0.665, 0.224, 0.0), "c1": (0.765, 0.222, -0.025), "c2": (0.865, 0.222, -0.025)}
DRAWER_VM = {"station_name": "mk_station_recolor", "light_mode": "simple", "disable_bad_material": True}


def _grid(lo: float, hi: float, n: int) -> list[float]:
    return [float(v) for v in np.linspace(lo, hi, n)]


def _xy(xs, ys):
    return [(x, y) for x in xs for y in ys]


def _coke(orientation: str, variant: str, env_id: str, scene: str, extra: dict, overlay: str | None):
    return [Config(env_id, scene, 80, (0.35, 0.20), obj_xy=xy, overlay=overlay, build={**COKE[orientation], **extra},
                   variant=variant) for xy in _xy(_grid(-0.35, -0.12, 5), _grid(-0.02, 0.42, 5))]


def _move(variant: str, env_id: str, scene: str, extra: dict, overlay: str | None):
    return [Config(env_id, scene, 80, (0.35, 0.21), robot_yaw=-0.09, obj_episode=e, overlay=overlay, build=extra,
                   variant=variant) for e in range(60)]


COKE_VARIANTS = (  # rt1_pick_coke_can_variant_agg.sh, in its order: (label, env id, scene, extra build kwargs)
    ("base", "GraspSingleOpenedCokeCanInScene-v0", COKE_SCENE, {}),
    ("table_texture_1", "GraspSingleOpenedCokeCanInScene-v0", "Baked_sc1_staging_objaverse_cabinet1_h870", {}),
    ("table_texture_2", "GraspSingleOpenedCokeCanInScene-v0", "Baked_sc1_staging_objaverse_cabinet2_h870", {}),
    ("distractors", "GraspSingleOpenedCokeCanDistractorInScene-v0", COKE_SCENE, {}),
    ("distractors_more", "GraspSingleOpenedCokeCanDistractorInScene-v0", COKE_SCENE, {"distractor_config": "more"}),
    ("background_1", "GraspSingleOpenedCokeCanInScene-v0", "google_pick_coke_can_1_v4_alt_background", {}),
    ("background_2", "GraspSingleOpenedCokeCanInScene-v0", "google_pick_coke_can_1_v4_alt_background_2", {}),
    ("darker", "GraspSingleOpenedCokeCanInScene-v0", COKE_SCENE, {"slightly_darker_lighting": True}),
    ("brighter", "GraspSingleOpenedCokeCanInScene-v0", COKE_SCENE, {"slightly_brighter_lighting": True}),
    ("camera_1", "GraspSingleOpenedCokeCanAltGoogleCameraInScene-v0", COKE_SCENE, {}),
    ("camera_2", "GraspSingleOpenedCokeCanAltGoogleCamera2InScene-v0", COKE_SCENE, {}))
MOVE_VARIANTS = (  # rt1_move_near_variant_agg.sh
    ("base", "MoveNearGoogleInScene-v0", COKE_SCENE, {}),
    ("no_distractor", "MoveNearGoogleInScene-v0", COKE_SCENE, {"no_distractor": True}),
    ("background_1", "MoveNearGoogleInScene-v0", "google_pick_coke_can_1_v4_alt_background", {}),
    ("background_2", "MoveNearGoogleInScene-v0", "google_pick_coke_can_1_v4_alt_background_2", {}),
    ("darker", "MoveNearGoogleInScene-v0", COKE_SCENE, {"slightly_darker_lighting": True}),
    ("brighter", "MoveNearGoogleInScene-v0", COKE_SCENE, {"slightly_brighter_lighting": True}),
    ("table_texture_1", "MoveNearGoogleInScene-v0", "Baked_sc1_staging_objaverse_cabinet1_h870", {}),
    ("table_texture_2", "MoveNearGoogleInScene-v0", "Baked_sc1_staging_objaverse_cabinet2_h870", {}),
    ("camera_1", "MoveNearAltGoogleCameraInScene-v0", COKE_SCENE, {}),
    ("camera_2", "MoveNearAltGoogleCamera2InScene-v0", COKE_SCENE, {}))
DRAWER_VARIANTS = (  # rt1_drawer_variant_agg.sh and rt1_put_in_drawer_variant_agg.sh: all with shader_dir=rt
    ("base", "frl_apartment_stage_simple", {}), ("background_1", "modern_bedroom_no_roof", {}),
    ("background_2", "modern_office_no_roof", {}),
    ("brighter", "frl_apartment_stage_simple", {"light_mode": "brighter"}),
    ("darker", "frl_apartment_stage_simple", {"light_mode": "darker"}),
    ("cabinet_2", "frl_apartment_stage_simple", {"station_name": "mk_station2"}),
    ("cabinet_3", "frl_apartment_stage_simple", {"station_name": "mk_station3"}))


def _drawer_vm(env_ids: tuple[str, ...]) -> list[Config]:
    return [Config(env_id, "dummy_drawer", 113, (x, y), robot_yaw=yaw, overlay=f"open_drawer_{pose}.png",
                   build={**DRAWER_VM, "urdf_version": urdf}, ray_tracing=True, variant=f"urdf_{urdf}")
            for urdf in DRAWER_URDFS for env_id in env_ids for pose, (x, y, yaw) in DRAWER_POSES.items()]


def _drawer_va(env_ids: tuple[str, ...]) -> list[Config]:
    return [Config(env_id, scene, 113, xy, build=extra, ray_tracing=True, variant=label)
            for env_id in env_ids for label, scene, extra in DRAWER_VARIANTS
            for xy in _xy(_grid(0.65, 0.85, 3), _grid(-0.2, 0.2, 3))]


def _apple_vm() -> list[Config]:
    return [Config("PlaceIntoClosedTopDrawerCustomInScene-v0", "dummy_drawer", 200, (x, y), robot_yaw=yaw, obj_xy=xy,
                   overlay=f"open_drawer_{pose}.png", ray_tracing=True, variant=f"urdf_{urdf}",
                   build={**DRAWER_VM, "urdf_version": urdf, "model_ids": "baked_apple_v2"})
            for urdf in DRAWER_URDFS for pose, (x, y, yaw) in ((p, DRAWER_POSES[p]) for p in ("a0", "b0", "c0"))
            for xy in _xy(_grid(-0.08, -0.02, 3), _grid(-0.02, 0.08, 3))]


def _apple_va() -> list[Config]:
    return [Config("PlaceIntoClosedTopDrawerCustomInScene-v0", scene, 200, (0.65, y), obj_xy=xy, ray_tracing=True,
                   build={**extra, "model_ids": "apple"}, variant=label)
            for label, scene, extra in DRAWER_VARIANTS for y in _grid(-0.2, 0.2, 3)
            for xy in _xy(_grid(-0.08, -0.02, 3), _grid(-0.02, 0.08, 3))]


OPEN = tuple(f"Open{d}DrawerCustomInScene-v0" for d in ("Top", "Middle", "Bottom"))
CLOSE = tuple(f"Close{d}DrawerCustomInScene-v0" for d in ("Top", "Middle", "Bottom"))


def _visual() -> dict[str, list[Config]]:
    coke_env, overlay = "GraspSingleOpenedCokeCanInScene-v0", "google_coke_can_real_eval_1.png"
    tasks = {f"pick_{o}_coke_can": [c for u in URDFS
                                    for c in _coke(o, f"urdf_{u}", coke_env, COKE_SCENE, {"urdf_version": u}, overlay)]
             for o in COKE}
    tasks["move_near"] = [c for u in URDFS for c in _move(f"urdf_{u}", "MoveNearGoogleBakedTexInScene-v0", COKE_SCENE,
                                                          {"urdf_version": u}, "google_move_near_real_eval_1.png")]
    tasks.update(open_drawer=_drawer_vm(OPEN), close_drawer=_drawer_vm(CLOSE), put_apple_in_drawer=_apple_vm())
    return tasks


def _variant() -> dict[str, list[Config]]:
    tasks = {f"pick_{o}_coke_can": [c for label, env, scene, extra in COKE_VARIANTS
                                    for c in _coke(o, label, env, scene, extra, None)] for o in COKE}
    tasks["move_near"] = [c for label, env, scene, extra in MOVE_VARIANTS
                          for c in _move(label, env, scene, extra, None)]
    tasks.update(open_drawer=_drawer_va(OPEN), close_drawer=_drawer_va(CLOSE), put_apple_in_drawer=_apple_va())
    return tasks


TASK_NAMES = ("pick_horizontal_coke_can", "pick_vertical_coke_can", "pick_standing_coke_can", "move_near",
              "open_drawer", "close_drawer", "put_apple_in_drawer")
SUITES: dict[str, dict[str, list[Config]]] = {VISUAL: _visual(), VARIANT: _variant()}
