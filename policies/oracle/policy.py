"""Scripted pick-and-place oracle for LIBERO: reads privileged simulator state, outputs 7-dim OSC_POSE deltas.

Phases: above the object -> descend -> close -> lift -> carry above the target -> lower -> open -> retreat.
Each ask re-reads the object and target poses, so a nudged object or an in-hand slip is followed; a grasp that
did not lift the object, or an object lost on the way, sends the arm back to `above` for another try.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from scipy.spatial.transform import Rotation

from vla_harness.harness.errors import PolicyFault
from vla_harness.harness.options import AtLeast
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.base import PIXEL_FREE, PolicyBase
from vla_harness.policies.oracle import plan
from vla_harness.policies.oracle.motion import Motion, hold_orientation, move_toward, orientation_error

PHASES = ("above", "descend", "close", "pull", "lift", "carry", "lower", "open", "retreat")
GRIPPER_STEPS = 12  # steps for the Panda gripper to close or open fully
STALL_STEPS = 25  # a move that has not converged after this many steps is considered done
LIFTED = 0.02  # the object's bottom must rise this much for the grasp to count
LOST = 0.08  # the object is lost when it moved this far from where the hand holds it
MAX_TRIES = 3
RETREAT_STEPS = 12  # rise this long after letting go before going for the next object
PULL_RISE = 0.003  # the pull out from under an overhang drags the object with hardly any lift
PULL_STEPS = 24
PULL_SPEED = 0.5


class PrivilegedStateMissing(PolicyFault, RuntimeError):
    """Recorded as `policy_error`."""


class OraclePolicy(PolicyBase):
    def __init__(self, chunk: Annotated[int, AtLeast(1)] = 4, speed: float = 1.0) -> None:
        self.chunk, self.speed = int(chunk), float(speed)
        self.phase = PHASES[0]

    def spec(self) -> PolicySpec:
        # Privileged: the loop hands it env.privileged_state(); it asks for no camera, so nothing is rendered.
        return PolicySpec(name="oracle", version="3", cameras=(), image_size=0, replan_steps=self.chunk,
                          privileged=True, conventions=PIXEL_FREE)

    def reset(self, task: TaskInfo) -> None:
        super().reset(task)
        self.phase, self.phase_steps, self.tries = PHASES[0], 0, 1
        self.ref_quat: np.ndarray | None = None
        self.grasp: plan.grasp.Grasp | None = None
        self.current: str | None = None  # the object being placed (tasks with several goals change it)
        self.hang, self.start_bottom, self.hold = 0.0, 0.0, np.zeros(3)
        self.pull_to = np.zeros(3)  # eef target of the pull phase
        self.phase_log: list[tuple[str, int]] = []  # (phase, step entered): why an episode failed

    def act(self, obs: Observation) -> np.ndarray:
        state = obs.privileged
        if state is None:
            raise PrivilegedStateMissing("the oracle needs privileged state; run it through the harness episode loop")
        if self.current is None:
            self.current = state["object"]
            self._plan_grasp(state)
        elif state["object"] != self.current:
            self._next_goal(state, obs.step)
        self._advance(state, obs.step)
        motion = self._motion(state)
        rot = hold_orientation(state["eef_quat"], self.ref_quat)
        actions = move_toward(state["eef_pos"], motion, rot, self.chunk)
        self.phase_steps += self.chunk
        return actions

    def _plan_grasp(self, state: dict) -> None:
        """Choose the grasp once per try; the hand turns about the vertical by the grasp's yaw, from its start pose."""
        self.grasp = plan.choose_grasp(state)
        start = Rotation.from_quat(state["eef_quat"]) if self.ref_quat is None else Rotation.from_quat(self.base_quat)
        self.base_quat = start.as_quat()
        self.ref_quat = (Rotation.from_euler("z", self.grasp.yaw) * start).as_quat()

    def _enter(self, phase: str, step: int) -> None:
        self.phase, self.phase_steps = phase, 0
        self.phase_log.append((phase, step))

    def _advance(self, state: dict, step: int) -> None:
        """Move to the next phase when the current one is done (position reached, or timed out)."""
        eef = np.asarray(state["eef_pos"], dtype=float)
        obj = plan.Geometry.of(state["object_aabb"])
        if self.phase in ("carry", "lower") and np.linalg.norm(eef - obj.center - self.hold) > LOST:
            return self._retry(state, step)
        motion = self._motion(state)
        reached = np.linalg.norm(motion.target - eef) < motion.tolerance
        if self.phase == "above":
            reached = reached and orientation_error(state["eef_quat"], self.ref_quat) < 0.1
        if not (reached or self.phase_steps >= motion.timeout):
            return
        if self.phase == "close":
            self.hang, self.start_bottom, self.hold = float(eef[2] - obj.bottom), obj.bottom, eef - obj.center
            shift = plan.pull_out(state)
            self.pull_to = eef + [shift[0], shift[1], PULL_RISE]
            if not shift.any():  # nothing overhead: lift straight away
                return self._enter("lift", step)
        if self.phase == "lift" and obj.bottom < self.start_bottom + LIFTED:
            return self._retry(state, step)
        nxt = PHASES.index(self.phase) + 1
        if nxt < len(PHASES):
            self._enter(PHASES[nxt], step)

    def _next_goal(self, state: dict, step: int) -> None:
        """The object in hand now satisfies its goal and another object is due: let go, rise, then go for it."""
        if self.phase in ("pull", "lift", "carry", "lower"):
            self._enter("open", step)
        elif self.phase in ("above", "descend", "close") or (
                self.phase == "retreat" and self.phase_steps >= RETREAT_STEPS):
            self.current, self.tries = state["object"], 1
            self._plan_grasp(state)
            self._enter("above", step)

    def _retry(self, state: dict, step: int) -> None:
        if self.tries >= MAX_TRIES:
            return self._enter("retreat", step)
        self.tries += 1
        self._plan_grasp(state)
        self._enter("above", step)

    def _motion(self, state: dict) -> Motion:
        eef = np.asarray(state["eef_pos"], dtype=float)
        p = self.phase
        if p in ("above", "descend"):
            grasp = plan.grasp_point(state, self.grasp)
            if p == "above":
                return Motion(grasp + [0, 0, plan.CLEARANCE], -1.0, 0.012, 60, self.speed, keep_height=True)
            return Motion(grasp, -1.0, 0.008, STALL_STEPS, 0.5 * self.speed)
        if p == "pull":
            return Motion(self.pull_to, 1.0, 0.008, PULL_STEPS, PULL_SPEED * self.speed)
        if p in ("close", "open"):
            return Motion(eef, 1.0 if p == "close" else -1.0, -1.0, GRIPPER_STEPS, 0.0)
        carry_z = plan.carry_height(state, self.hang, self.start_bottom)
        # The object's current offset in the hand: centring it over the target follows any slip.
        place = plan.place_point(state, self.hang, eef[:2] - np.asarray(state["object_pos"][:2], dtype=float))
        if p == "lift":
            return Motion(np.array([eef[0], eef[1], carry_z]), 1.0, 0.015, 40, self.speed)
        if p == "carry":
            return Motion(np.array([place[0], place[1], carry_z]), 1.0, 0.01, 80, self.speed)
        if p == "lower":
            return Motion(place, 1.0, 0.01, 40, self.speed)
        return Motion(eef + [0, 0, 0.1], -1.0, -1.0, 10_000, self.speed)
