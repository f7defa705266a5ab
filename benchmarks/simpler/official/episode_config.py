"""One official SimplerEnv episode of the official stack, as its evaluator builds and resets it (Google robot and
WidowX alike), and the robot setups SimplerEnv's scripts use (simpler-env/SimplerEnv@4ab7178e
simpler_env/utils/env/env_builder.py get_robot_control_mode, and the --control-freq/--sim-freq of scripts/*.sh)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RobotSetup:
    control_mode: str
    control_hz: int
    sim_hz: int
    camera: str  # the camera the evaluator's observation image comes from (observation_utils.py)


GOOGLE = RobotSetup("arm_pd_ee_delta_pose_align_interpolate_by_planner_gripper_pd_joint_target_delta_pos_"
                    "interpolate_by_planner", 3, 513, "overhead_camera")
WIDOWX = RobotSetup("arm_pd_ee_target_delta_pose_align2_gripper_pd_joint_pos", 5, 500, "3rd_view_camera")
ROBOTS = {"google_robot_static": GOOGLE, "widowx": WIDOWX, "widowx_sink_camera_setup": WIDOWX}


@dataclass(frozen=True)
class Config:
    """One official episode: how the env is built and how it is reset (the evaluator's arguments)."""

    env_id: str
    scene: str
    max_steps: int
    robot_xy: tuple[float, float]
    robot_yaw: float = 0.0
    obj_xy: tuple[float, float] | None = None
    obj_episode: int | None = None
    overlay: str | None = None  # file under data/real_inpainting/
    build: dict[str, Any] = field(default_factory=dict)  # --additional-env-build-kwargs
    ray_tracing: bool = False  # shader_dir=rt
    variant: str = "base"
    robot: str = "google_robot_static"

    @property
    def setup(self) -> RobotSetup:
        return ROBOTS[self.robot]

    def env_key(self) -> str:
        return repr((self.env_id, self.scene, self.overlay, sorted(self.build.items()), self.ray_tracing, self.robot))
