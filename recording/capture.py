"""DemoRecorder: an observer of the one episode loop that records every policy step (frames, robot state, action).

Just before each action is applied it renders the benchmark's cameras upright at the chosen size and reads the
robot state, so step t pairs the observation with the action taken in it (LIBERO's own demonstration convention).
The loop shows observers no settle step, so the protocol's settle steps are not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vla_harness.harness.config import ConfigError
from vla_harness.harness.conventions import PolicyConventions, StateVector
from vla_harness.harness.convert import ConversionPlan, plan_for
from vla_harness.harness.episode import EpisodeObserver, upright_frame
from vla_harness.harness.protocols import BenchProtocol, Env
from vla_harness.harness.types import EpisodeSpec, PolicySpec, StepResult

# The robot state a LIBERO demo holds, by quantity (harness/conventions.py): the worker's conversion layer reads it
# from whatever the benchmark offers; a vector the benchmark cannot give is recorded empty.
STATE = (StateVector("ee_states", ("eef_pos", "eef_axis_angle")), StateVector("gripper_states", ("gripper_qpos",)),
         StateVector("joint_states", ("joint_pos",)))
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


def state_plans(protocol: BenchProtocol) -> dict[str, ConversionPlan | None]:
    """Per recorded state vector, how the conversion layer reads it from this benchmark (None: it cannot)."""
    plans: dict[str, ConversionPlan | None] = {}
    for vector in STATE:
        spec = PolicySpec(name="recorder", image_size=0, action_dim=protocol.action_dim,
                          conventions=PolicyConventions(orientation=None, state=(vector,)))
        try:
            plans[vector.key] = plan_for(protocol.conventions, spec, protocol.name, protocol.action_dim)
        except ConfigError:
            plans[vector.key] = None
    return plans


def _read_state(env: Env, plans: dict[str, ConversionPlan | None], size: int) -> dict[str, np.ndarray]:
    keys = tuple(dict.fromkeys(k for p in plans.values() if p for k in p.env_spec.state_keys))
    obs = env.observe((), size, keys)
    return {name: plan.observation(obs).state[name].astype(np.float32) if plan else np.zeros(0, dtype=np.float32)
            for name, plan in plans.items()}


class DemoRecorder(EpisodeObserver):
    """Keeps every policy step of an episode (frames, robot state, action, reward) in `buffer`.

    Rendering dominates the cost of recording, so with `frame_every` k > 1 only steps 0, k, 2k... get frames
    (`buffer.frame_steps` says which); actions and robot state are kept for every step."""

    def __init__(self, cameras: tuple[str, ...], size: int, protocol: BenchProtocol, frame_every: int = 1) -> None:
        self.size = int(size)
        self.frame_every = max(1, int(frame_every))
        self.cameras = dict(zip(FRAME_KEYS, cameras))
        self.plans = state_plans(protocol)
        self.buffer = EpisodeBuffer()

    def episode_start(self, env: Env, spec: EpisodeSpec) -> None:
        self.buffer = EpisodeBuffer()

    def before_step(self, env: Env, action: np.ndarray) -> None:
        step = len(self.buffer.actions)
        if step % self.frame_every == 0:
            for key, camera in self.cameras.items():
                self.buffer.frames[key].append(upright_frame(env, camera, self.size))
            self.buffer.frame_steps.append(step)
        state = _read_state(env, self.plans, self.size)
        self.buffer.ee_states.append(state["ee_states"])
        self.buffer.gripper_states.append(state["gripper_states"])
        self.buffer.joint_states.append(state["joint_states"])
        self.buffer.actions.append(np.array(action, dtype=np.float32))

    def after_step(self, result: StepResult) -> None:
        self.buffer.rewards.append(float(result.reward))
        self.buffer.dones.append(bool(result.success))
