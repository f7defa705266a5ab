"""A Google-robot or WidowX env of the official stack, built as SimplerEnv's evaluator builds it, rendering only on
request. Runs in the simpler_official environment's child process (harness/env_child.py), never in the main one.

Built by simpler_env/utils/env/env_builder.py's rules (obs_mode rgbd, segmentation, overlay on the robot's camera);
reset as simpler_env/evaluation/maniskill2_evaluator.py resets a freshly built env (the env's first episode seed
after construction, robot and object options from the config). Observations only when asked: the env runs in obs
mode "none" and observe() calls the same greenscreened get_obs() and RGBD conversion the evaluator's obs come from.
Every camera capture of the simulator is counted (`camera_renders` in the step info, since the episode's reset).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vla_harness.benchmarks.simpler.official.episode_config import Config
from vla_harness.benchmarks.simpler.official.protocol import RASTER_NOTE, STAND_IN_NOTE
from vla_harness.benchmarks.simpler.official.standin import write_stage
from vla_harness.benchmarks.simpler.official.suites import config as config_of
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

STATE_KEYS = ("qpos", "ee_pose", "base_pose")
FIRST_EPISODE_SEED = int(np.random.RandomState(2022).randint(2**32))  # sapien_env.py: main seed 2022, first draw


def build_kwargs(config: Config, data: Path, standin: Path | None, raster: bool) -> dict[str, Any]:
    setup = config.setup
    kwargs = dict(obs_mode="rgbd", robot=config.robot, sim_freq=setup.sim_hz, control_mode=setup.control_mode,
                  control_freq=setup.control_hz, max_episode_steps=config.max_steps, scene_name=config.scene,
                  camera_cfgs={"add_segmentation": True}, rgb_overlay_path=None)
    if config.overlay:
        kwargs.update(rgb_overlay_path=str(data / "real_inpainting" / config.overlay),
                      rgb_overlay_cameras=[setup.camera])
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
        config = config_of(suite, task, index)
        standin = write_stage(Path(standin_dir), config.scene) if standin_dir else None
        self.stage_stand_in = standin is not None
        self.env = gym.make(config.env_id, **build_kwargs(config, Path(data_dir), standin, raster))
        self.sim = self.env.unwrapped
        self.rgbd = _rgbd_wrapper(self.env)
        self.sim._obs_mode = "none"  # render nothing in reset() and step(); observe() asks for images
        self.key, self.max_steps, self.steps = config.env_key(), config.max_steps, 0
        self.ray_traced, self.camera = config.ray_tracing, config.setup.camera
        self.renders, self._any_success = 0, False
        take_picture = self.sim.take_picture

        def counted() -> None:  # every capture of every camera, whoever asks for it
            self.renders += 1
            take_picture()

        self.sim.take_picture = counted

    def reset(self, spec: EpisodeSpec) -> None:
        from sapien.core import Pose
        from transforms3d.euler import euler2quat

        config = config_of(spec.suite, spec.task_name, spec.init_state_index)
        if config.env_key() != self.key:
            raise RuntimeError(f"configuration {spec.init_state_index} of {spec.task_name} needs another env")
        quat = (Pose(q=euler2quat(0, 0, config.robot_yaw)) * Pose(q=[0, 0, 0, 1])).q  # argparse.py's rule
        options: dict[str, Any] = {"robot_init_options": {"init_xy": np.array(config.robot_xy), "init_rot_quat": quat}}
        if config.obj_xy is not None:
            options["obj_init_options"] = {"init_xy": np.array(config.obj_xy)}
        else:
            options["obj_init_options"] = {"episode_id": config.obj_episode}
        self.sim.reset(seed=FIRST_EPISODE_SEED, options=options)
        self.max_steps, self.steps, self.renders, self._any_success = spec.max_steps, 0, 0, False

    def render_native(self, camera: str | None = None) -> np.ndarray:
        camera = camera or self.camera
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
            native = self.render_native(self.camera if name == "agentview" else name)
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
        now = bool(info["success"])
        self._any_success = self._any_success or now
        metrics = _scalars(info)
        metrics.update(stage_stand_in=self.stage_stand_in, success_any_step=self._any_success,
                       camera_renders=self.renders)
        notes = [STAND_IN_NOTE] if self.stage_stand_in else []
        if self.raster and self.ray_traced:
            notes.append(RASTER_NOTE)
        if notes:
            metrics["note"] = "; ".join(notes)
        last = self.steps >= self.max_steps
        # SimplerEnv's evaluator runs to the time limit; success is the env's `success` at the last step
        return StepResult(success=now and last, reward=float(now), info=metrics)

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
