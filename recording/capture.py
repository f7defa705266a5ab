"""DemoRecorder: an observer of the one episode loop that records every policy step (frames, robot state, action).

Just before each action is applied it renders the benchmark's cameras upright at the chosen size and reads the
robot state, so step t pairs the observation with the action taken in it (LIBERO's own demonstration convention).
The loop shows observers no settle step, so the protocol's settle steps are not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vla_harness.harness.conventions import quat_xyzw_to_axis_angle
from vla_harness.harness.episode import EpisodeObserver, upright_frame
from vla_harness.harness.protocols import Env
from vla_harness.harness.types import EpisodeSpec, StepResult

# LIBERO robot-state keys (robosuite observation names) and the demo datasets built from them.
STATE_KEYS = ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "robot0_joint_pos")
FRAME_KEYS = ("agentview", "eye_in_hand")  # the benchmark's first and second camera


@dataclass
class EpisodeBuffer:
    """One episode's steps, in memory until the recorder decides to keep it."""

    frames: dict[str, list[np.ndarray]] = field(default_factory=lambda: {k: [] for k in FRAME_KEYS})
    frame_steps: list[int] = field(default_factory=list)  # the recorded step each frame belongs to
    actions: list[np.ndarray] = field(default_factory=list)
    ee_states: list[np.ndarray] = field(default_factory=list)
    gripper_states: list[np.ndarray] = field(default_factory=list)
    joint_states: list[np.ndarray] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    dones: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.actions)


def _state_part(state: dict, *keys: str) -> np.ndarray:
    """The named state entries, concatenated; an env without them gives an empty vector."""
    if not all(k in state for k in keys):
        return np.zeros(0, dtype=np.float32)
    parts = [quat_xyzw_to_axis_angle(state[k]) if k.endswith("quat") else np.ravel(state[k]) for k in keys]
    return np.concatenate(parts).astype(np.float32)


class DemoRecorder(EpisodeObserver):
    """Keeps every policy step of an episode (frames, robot state, action, reward) in `buffer`.

    Rendering dominates the cost of recording, so with `frame_every` k > 1 only steps 0, k, 2k... get frames
    (`buffer.frame_steps` says which); actions and robot state are kept for every step."""

    def __init__(self, cameras: tuple[str, ...], size: int, frame_every: int = 1) -> None:
        self.size = int(size)
        self.frame_every = max(1, int(frame_every))
        self.cameras = dict(zip(FRAME_KEYS, cameras))
        self.buffer = EpisodeBuffer()

    def episode_start(self, env: Env, spec: EpisodeSpec) -> None:
        self.buffer = EpisodeBuffer()

    def before_step(self, env: Env, action: np.ndarray) -> None:
        step = len(self.buffer.actions)
        if step % self.frame_every == 0:
            for key, camera in self.cameras.items():
                self.buffer.frames[key].append(upright_frame(env, camera, self.size))
            self.buffer.frame_steps.append(step)
        state = env.observe((), self.size, STATE_KEYS).state
        self.buffer.ee_states.append(_state_part(state, "robot0_eef_pos", "robot0_eef_quat"))
        self.buffer.gripper_states.append(_state_part(state, "robot0_gripper_qpos"))
        self.buffer.joint_states.append(_state_part(state, "robot0_joint_pos"))
        self.buffer.actions.append(np.array(action, dtype=np.float32))

    def after_step(self, result: StepResult) -> None:
        self.buffer.rewards.append(float(result.reward))
        self.buffer.dones.append(bool(result.success))
