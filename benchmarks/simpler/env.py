"""A ManiSkill3 Bridge env that renders only on request: stepping runs physics and the success check, never a camera."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

import numpy as np

from vla_harness.benchmarks.simpler.assets import AssetDir, no_download_prompt, point_maniskill_at
from vla_harness.benchmarks.simpler.protocol import CAMERA, CAMERA_ALIASES, CONTROL_MODE, STAND_IN_NOTE, BridgeTask
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

STATE_KEYS = ("qpos", "ee_pose")
EE_LINK = "ee_gripper_link"  # the link the official end-effector controller moves
GRASP_STATS = ("is_src_obj_grasped", "consecutive_grasp", "src_on_target")


def make_maniskill_env(task: BridgeTask, assets: AssetDir):
    """The env exactly as the official script makes it (obs_mode rgb+segmentation, default shader), on the CPU."""
    point_maniskill_at(assets)
    import gymnasium as gym
    import mani_skill.envs  # noqa: F401 - registers the Bridge envs
    from mani_skill import logger

    logger.setLevel(logging.ERROR)  # its per-env warnings (no CUDA, default actor poses) are expected on CPU
    with no_download_prompt(), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        env = gym.make(task.env_id, obs_mode="rgb+segmentation", num_envs=1, sim_backend="cpu",
                       control_mode=CONTROL_MODE, sensor_configs={"shader_pack": "default"})
    _own_greenscreen_state(env.unwrapped)
    return env


def _own_greenscreen_state(sim) -> None:
    """ManiSkill keeps the overlay images and the objects kept out of the greenscreen in class-level containers, shared
    by every env of the process: give this env its own overlay and start the next env with an empty object list."""
    sim._rgb_overlay_images = dict(sim._rgb_overlay_images)
    type(sim)._objects_to_remove_from_greenscreen.clear()


class SimplerBridgeEnv:
    """trial i of a task = the official episode configuration i: reset(seed=i, options={"episode_id": i})."""

    def __init__(self, task: BridgeTask, assets: AssetDir, stage_stand_in: bool) -> None:
        self.task, self.stage_stand_in = task, stage_stand_in
        self.env = make_maniskill_env(task, assets)
        self.sim = self.env.unwrapped
        self.visual_mode = self.sim.obs_mode
        # Observations only when asked: get_obs() returns {} in mode "none", so step() and reset() render nothing;
        # observe() calls the same greenscreened sensor path the official get_obs() uses (obs_mode_struct is unchanged).
        self.sim._obs_mode = "none"
        self.instruction, self.max_steps, self.steps = task.instruction, task.max_steps, 0
        self._any_success = False

    def reset(self, spec: EpisodeSpec) -> None:
        import torch

        index = spec.init_state_index if spec.init_state_index is not None else spec.trial
        self.sim.reset(seed=index, options={"episode_id": torch.tensor([index])})
        self.instruction, self.max_steps, self.steps = spec.instruction, spec.max_steps, 0
        self._any_success = False

    def _camera(self, name: str) -> str:
        cam = CAMERA_ALIASES.get(name, name)
        if cam != CAMERA:
            raise ValueError(f"SimplerEnv Bridge has one camera, '{CAMERA}' (alias: agentview); asked for '{name}'")
        return cam

    def render_native(self) -> np.ndarray:
        """The policy's view at the camera's own 640x480, real-photo overlay on the background."""
        data = self.sim._get_obs_sensor_data()
        return data[CAMERA]["rgb"][0].cpu().numpy().astype(np.uint8)

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        for name in cameras:
            self._camera(name)
        images = {}
        if cameras:
            import cv2

            native = self.render_native()
            image = cv2.resize(native, (size, size), interpolation=cv2.INTER_AREA) if size else native
            images = {name: image.copy() for name in cameras}
        state = {k: self._state(k) for k in state_keys}
        return Observation(images=images, state=state, instruction=self.instruction, step=self.steps)

    def _state(self, key: str) -> np.ndarray:
        agent = self.sim.agent
        if key == "qpos":
            return agent.robot.get_qpos()[0].cpu().numpy().astype(np.float32)
        if key == "ee_pose":  # world frame: xyz + quaternion wxyz
            return agent.robot.links_map[EE_LINK].pose.raw_pose[0].cpu().numpy().astype(np.float32)
        raise ValueError(f"SimplerEnv Bridge state keys are {', '.join(STATE_KEYS)}; asked for '{key}'")

    def step(self, action: np.ndarray) -> StepResult:
        _, _, _, _, info = self.sim.step(np.asarray(action, dtype=np.float32))
        self.steps += 1
        now = bool(info["success"][0])
        self._any_success = self._any_success or now
        last = self.steps >= self.max_steps
        metrics = {k: bool(info[k][0]) for k in GRASP_STATS if k in info}
        metrics.update(success_any_step=self._any_success, stage_stand_in=self.stage_stand_in)
        if self.stage_stand_in:
            metrics["note"] = STAND_IN_NOTE
        # The official script never stops early: success is judged on the last step only.
        return StepResult(success=now and last, reward=float(now), info=metrics)

    def close(self) -> None:
        env, self.env = getattr(self, "env", None), None
        if env is not None:
            env.close()
