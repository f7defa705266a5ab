"""Scripted pick-and-place oracle for LIBERO: reads privileged simulator state, outputs 7-dim OSC_POSE deltas.

Phases: above the object -> descend -> close -> lift -> carry above the target -> lower -> open -> retreat.
Each ask re-reads the object and target poses, so a nudged object or an in-hand slip is followed, not ignored.
"""

from __future__ import annotations

import numpy as np

from harness.types import Observation, PolicySpec, TaskInfo
from policies.base import PolicyBase
from policies.oracle import plan
from policies.oracle.motion import Motion, hold_orientation, move_toward

PHASES = ("above", "descend", "close", "lift", "carry", "lower", "open", "retreat")
GRIPPER_STEPS = 12  # steps for the Panda gripper to close or open fully
STALL_STEPS = 25  # a move that has not converged after this many extra steps is considered done


class PrivilegedStateMissing(RuntimeError):
    error_kind = "policy_error"


class OraclePolicy(PolicyBase):
    def __init__(self, chunk: int = 4, speed: float = 1.0) -> None:
        self.chunk, self.speed = int(chunk), float(speed)
        self.phase = PHASES[0]

    def spec(self) -> PolicySpec:
        # Privileged: the loop hands it env.privileged_state(); it asks for no camera, so nothing is rendered.
        return PolicySpec(name="oracle", version="1", cameras=(), image_size=0, chunk_len=self.chunk,
                          privileged=True)

    def reset(self, task: TaskInfo) -> None:
        super().reset(task)
        self.phase, self.phase_steps = PHASES[0], 0
        self.ref_quat: np.ndarray | None = None
        self.hang, self.start_bottom = 0.0, 0.0
        self.phase_log: list[tuple[str, int]] = []  # (phase, step entered): why an episode failed

    def act(self, obs: Observation) -> np.ndarray:
        state = obs.privileged
        if state is None:
            raise PrivilegedStateMissing("the oracle needs privileged state; run it through the harness episode loop")
        if self.ref_quat is None:
            self.ref_quat = np.asarray(state["eef_quat"], dtype=float)  # keep the start (top-down) orientation
        self._advance(state, obs.step)
        motion = self._motion(state)
        rot = hold_orientation(state["eef_quat"], self.ref_quat)
        actions = move_toward(state["eef_pos"], motion, rot, self.chunk)
        self.phase_steps += self.chunk
        return actions

    def _enter(self, phase: str, step: int) -> None:
        self.phase, self.phase_steps = phase, 0
        self.phase_log.append((phase, step))

    def _advance(self, state: dict, step: int) -> None:
        """Move to the next phase when the current one is done (position reached, or timed out)."""
        eef = np.asarray(state["eef_pos"], dtype=float)
        motion = self._motion(state)
        reached = np.linalg.norm(motion.target - eef) < motion.tolerance
        stalled = self.phase_steps >= motion.timeout
        if not (reached or stalled):
            return
        if self.phase == "close":
            obj = plan.Geometry.of(state["object_aabb"])
            self.hang, self.start_bottom = float(eef[2] - obj.bottom), obj.bottom
        nxt = PHASES.index(self.phase) + 1
        if nxt < len(PHASES):
            self._enter(PHASES[nxt], step)

    def _motion(self, state: dict) -> Motion:
        eef = np.asarray(state["eef_pos"], dtype=float)
        p = self.phase
        if p in ("above", "descend", "close"):
            grasp = plan.grasp_point(state)
            if p == "above":
                return Motion(grasp + [0, 0, plan.CLEARANCE], -1.0, 0.012, 60, self.speed, keep_height=True)
            if p == "descend":
                return Motion(grasp, -1.0, 0.008, STALL_STEPS, 0.5 * self.speed)
            return Motion(eef, 1.0, -1.0, GRIPPER_STEPS, 0.0)
        carry_z = plan.carry_height(state, self.hang, self.start_bottom)
        # The object's current offset in the hand: centring it over the target follows any slip.
        place = plan.place_point(state, self.hang, eef[:2] - np.asarray(state["object_pos"][:2], dtype=float))
        if p == "lift":
            return Motion(np.array([eef[0], eef[1], carry_z]), 1.0, 0.015, 40, self.speed)
        if p == "carry":
            return Motion(np.array([place[0], place[1], carry_z]), 1.0, 0.01, 80, self.speed)
        if p == "lower":
            return Motion(place, 1.0, 0.01, STALL_STEPS, 0.5 * self.speed)
        if p == "open":
            return Motion(eef, -1.0, -1.0, GRIPPER_STEPS, 0.0)
        return Motion(eef + [0, 0, 0.1], -1.0, -1.0, 10_000, self.speed)
