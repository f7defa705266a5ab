"""A policy's gripper values onto a benchmark's, per executed step (used by harness/convert.py, the one place that
converts): linear between the two declared ends, optionally binarised, or turned from an absolute target into the
relative commands of a relative-gripper benchmark with a sticky hold.

The absolute-to-relative rules are the official policy wrappers' for SimplerEnv's Google robot, whose gripper
controller takes a relative command (+1 close, -1 open, 0 keep):
- "difference": simpler-env/SimplerEnv@4ab7178e simpler_env/policies/octo/octo_model.py (policy_setup google_robot):
  command = previous openness - current openness (0 at the first step); a command above 0.5 in size, when none is
  held, is held for `sticky_steps` steps (15 there, counting the step it starts), then released.
- "level": vla-eval 0.8.0 vla_eval/benchmarks/simpler/benchmark.py (gripper_mode "sticky"): command = 1 - 2 *
  openness, with the same hold.
SimplerEnv's RT-1 wrapper (simpler_env/policies/rt1/rt1_model.py) already outputs relative commands: a relative
policy maps linearly. Its WidowX setups (rt1_model.py, octo_model.py) threshold the absolute value at the midpoint:
`binarize`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_harness.harness.conventions import Gripper, PolicyConventions, gripper_map

RULES = ("difference", "level")


class GripperMismatch(ValueError):
    """The two declarations cannot be converted (a relative policy on an absolute benchmark, an unknown rule)."""


@dataclass
class GripperCommands:
    """Stateful per episode (reset() at each episode): call `convert(value)` once per executed step, in order."""

    policy: Gripper
    bench: Gripper
    rule: str = "difference"
    binarize: bool = False
    previous: float | None = None
    held: float = 0.0
    left: int = 0

    @staticmethod
    def join(pc: PolicyConventions, bench: Gripper) -> "GripperCommands":
        if pc.gripper.relative and not bench.relative:
            raise GripperMismatch("the policy's gripper is relative (a command to move), the benchmark's is absolute "
                                  "(a target); no mapping is defined")
        if pc.to_relative not in RULES:
            raise GripperMismatch(f"gripper rule to_relative='{pc.to_relative}' is not one of {', '.join(RULES)}")
        return GripperCommands(pc.gripper, bench, pc.to_relative, pc.binarize)

    @property
    def stateful(self) -> bool:
        return self.bench.relative and not self.policy.relative

    @property
    def identity(self) -> bool:
        return not self.stateful and not self.binarize and gripper_map(self.policy, self.bench) == (1.0, 0.0)

    def reset(self) -> None:
        self.previous, self.held, self.left = None, 0.0, 0

    def convert(self, value: float) -> float:
        if not self.stateful:
            if self.binarize:
                middle = (self.policy.open + self.policy.closed) / 2
                opening = (value - middle) * (self.policy.open - self.policy.closed) > 0
                value = self.policy.open if opening else self.policy.closed
            scale, offset = gripper_map(self.policy, self.bench)
            return scale * value + offset
        return self._relative(value)

    def _relative(self, value: float) -> float:
        openness = (value - self.policy.closed) / (self.policy.open - self.policy.closed)  # 1 open, 0 closed
        if self.rule == "difference":
            close = 0.0 if self.previous is None else self.previous - openness
            self.previous = openness
        else:
            close = 1.0 - 2.0 * openness
        if abs(close) > 0.5 and not self.left:
            self.held, self.left = close, self.bench.sticky_steps
        if self.left:
            close, self.left = self.held, self.left - 1
        middle, half = (self.bench.closed + self.bench.open) / 2, (self.bench.closed - self.bench.open) / 2
        return middle + close * half

    def chunk(self, actions: np.ndarray) -> np.ndarray:
        """A chunk whose rows are all executed, in order (the caller cuts it to what the loop runs first)."""
        if self.identity:
            return actions
        try:
            arr = np.array(actions, dtype=np.float32)
        except (TypeError, ValueError):
            return actions  # not an action chunk: the episode loop's own check names what is wrong
        rows = arr if arr.ndim == 2 else arr[None] if arr.ndim == 1 else arr[:0].reshape(0, 0)
        i = self.bench.index
        if rows.shape[1] > i:
            for row in rows:
                row[i] = self.convert(float(row[i]))
        return arr
