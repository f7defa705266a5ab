"""A Google-robot (or WidowX) env of the official stack, built as SimplerEnv's evaluator builds it, rendering only on
request. Runs in the simpler_official environment's child process (harness/env_child.py), never in the main one.

Built by simpler_env/utils/env/env_builder.py's rules (obs_mode rgbd, segmentation, overlay on the robot's camera);
reset as simpler_env/evaluation/maniskill2_evaluator.py resets a freshly built env (the env's first episode seed
after construction, robot and object options from the config). Observations only when asked: the env runs in obs
mode "none" and observe() calls the same greenscreened get_obs() and RGBD conversion the evaluator's obs come from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vla_harness.benchmarks.simpler.official import google_tasks as gt
from vla_harness.benchmarks.simpler.official.protocol import RASTER_NOTE, STAND_IN_NOTE
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

STATE_KEYS = ("qpos", "ee_pose", "base_pose")
FIRST_EPISODE_SEED = int(np.random.RandomState(2022).randint(2**32))  # sapien_env.py: main seed 2022, first draw
# The stand-in table (base_env.py "dummy_tabletop", the authors' own box for this scene): footprint centre and half
# extents in the world, top at scene_table_height (0.87, the env's value for the real stage), floor top at 0.017.
TABLE_XY, TABLE_HALF, TABLE_TOP, FLOOR_TOP = (-0.295, 0.21), (0.315, 0.3075), 0.87, 0.017
SCENE_OFFSET = np.array([-1.6616, -3.0337, 0.0])  # base_env.py: default offset of google_pick_coke_can_1_v4


def standin_stage(folder: Path, scene: str) -> Path:
    """A flat table and floor in the stage's own frame (y up, before the env's offset): written once."""
    path = folder / "stages" / f"{scene}.glb"
    if path.is_file():
        return folder
    import trimesh

    def box(center, half):  # world (x, y, z) -> stage frame (x, z, -y), shifted by the scene offset
        mesh = trimesh.creation.box(extents=2 * np.array([half[0], half[2], half[1]]))
        world = np.asarray(center) + SCENE_OFFSET
        mesh.apply_translation([world[0], world[2], -world[1]])
        return mesh

    table = box([*TABLE_XY, (FLOOR_TOP + TABLE_TOP) / 2], [*TABLE_HALF, (TABLE_TOP - FLOOR_TOP) / 2])
    floor = box([0.0, 0.0, 0.0], [10.0, 10.0, FLOOR_TOP])
    path.parent.mkdir(parents=True, exist_ok=True)
    trimesh.Scene([table, floor]).export(str(path))
    return folder


def build_kwargs(config: gt.Config, data: Path, standin: Path | None, raster: bool) -> dict[str, Any]:
    kwargs = dict(obs_mode="rgbd", robot="google_robot_static", sim_freq=gt.SIM_HZ, control_mode=gt.CONTROL_MODE,
                  control_freq=gt.CONTROL_HZ, max_episode_steps=config.max_steps, scene_name=config.scene,
                  camera_cfgs={"add_segmentation": True}, rgb_overlay_path=None)
    if config.overlay:
        kwargs.update(rgb_overlay_path=str(data / "real_inpainting" / config.overlay),
                      rgb_overlay_cameras=["overhead_camera"])
    extra = {k: v for k, v in config.build.items() if v is not None}
    if config.ray_tracing and not raster:
        extra = {"shader_dir": "rt", **extra}
    if standin is not None:
        extra["scene_root"] = str(standin)
    return {**extra, **kwargs}


class OfficialEnv:
    """One built env (the configs sharing its env_key); trial i of a task = config i."""

    def __init__(self, suite: str, task: str, index: int, data_dir: str, standin_dir: str | None = None,
                 raster: bool = False) -> None:
        import gymnasium as gym
        import mani_skill2_real2sim.envs  # noqa: F401 - registers the envs

        self.suite, self.task, self.raster = suite, task, raster
        config = gt.SUITES[suite][task][index]
        standin = standin_stage(Path(standin_dir), config.scene) if standin_dir else None
        self.stage_stand_in = standin is not None
        self.env = gym.make(config.env_id, **build_kwargs(config, Path(data_dir), standin, raster))
        self.sim = self.env.unwrapped
        self.rgbd = _rgbd_wrapper(self.env)
        self.sim._obs_mode = "none"  # render nothing in reset() and step(); observe() asks for images
        self.key, self.max_steps, self.steps = config.env_key(), config.max_steps, 0
        self.ray_traced = config.ray_tracing

    def reset(self, spec: EpisodeSpec) -> None:
        from sapien.core import Pose
        from transforms3d.euler import euler2quat

        config = gt.SUITES[spec.suite][spec.task_name][spec.init_state_index]
        if config.env_key() != self.key:
            raise RuntimeError(f"configuration {spec.init_state_index} of {spec.task_name} needs another env")
        quat = (Pose(q=euler2quat(0, 0, config.robot_yaw)) * Pose(q=[0, 0, 0, 1])).q  # argparse.py's rule
        options: dict[str, Any] = {"robot_init_options": {"init_xy": np.array(config.robot_xy), "init_rot_quat": quat}}
        if config.obj_xy is not None:
            options["obj_init_options"] = {"init_xy": np.array(config.obj_xy)}
        else:
            options["obj_init_options"] = {"episode_id": config.obj_episode}
        self.sim.reset(seed=FIRST_EPISODE_SEED, options=options)
        self.max_steps, self.steps = spec.max_steps, 0

    def render_native(self, camera: str = "overhead_camera") -> np.ndarray:
        self.sim._obs_mode = "image"
        try:
            obs = self.rgbd.observation(self.sim.get_obs())
        finally:
            self.sim._obs_mode = "none"
        if camera not in obs["image"]:
            raise ValueError(f"this env's cameras are {', '.join(obs['image'])}; asked for '{camera}'")
        return obs["image"][camera]["rgb"]

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        import cv2

        images = {}
        for name in cameras:
            native = self.render_native("overhead_camera" if name == "agentview" else name)
            images[name] = cv2.resize(native, (size, size), interpolation=cv2.INTER_AREA) if size else native
        state = {k: self._state(k) for k in state_keys}
        return Observation(images=images, state=state, instruction=self.sim.get_language_instruction(), step=self.steps)

    def _state(self, key: str) -> np.ndarray:
        if key == "qpos":
            return self.sim.agent.robot.get_qpos().astype(np.float32)
        if key == "ee_pose":  # tool centre point in the world, xyz + quaternion wxyz
            pose = self.sim.tcp.pose
            return np.concatenate([pose.p, pose.q]).astype(np.float32)
        if key == "base_pose":
            pose = self.sim.agent.robot.pose
            return np.concatenate([pose.p, pose.q]).astype(np.float32)
        raise ValueError(f"state keys are {', '.join(STATE_KEYS)}; asked for '{key}'")

    def step(self, action: np.ndarray) -> StepResult:
        _, _, _, _, info = self.sim.step(np.asarray(action, dtype=np.float64))
        self.steps += 1
        metrics = _scalars(info)
        metrics.update(stage_stand_in=self.stage_stand_in)
        notes = [STAND_IN_NOTE] if self.stage_stand_in else []
        if self.raster and self.ray_traced:
            notes.append(RASTER_NOTE)
        if notes:
            metrics["note"] = "; ".join(notes)
        last = self.steps >= self.max_steps
        # SimplerEnv's evaluator runs to the time limit; success is the env's `success` at the last step
        return StepResult(success=bool(info["success"]) and last, reward=float(bool(info["success"])), info=metrics)

    def close(self) -> None:
        env, self.env = getattr(self, "env", None), None
        if env is not None:
            env.close()


def _rgbd_wrapper(env):
    while env is not None and type(env).__name__ != "RGBDObservationWrapper":
        env = getattr(env, "env", None)
    if env is None:
        raise RuntimeError("the env was built without its RGBD observation wrapper")
    return env


def _scalars(info: dict) -> dict[str, Any]:
    """The step info's plain values (success, grasp and lift flags, drawer qpos...) and its episode stats."""
    out = {}
    for prefix, items in (("", info.items()), ("episode_", (info.get("episode_stats") or {}).items())):
        for key, value in items:
            if isinstance(value, (bool, int, float, str, np.bool_, np.integer, np.floating)):
                out[prefix + key] = value.item() if isinstance(value, np.generic) else value
    return out
