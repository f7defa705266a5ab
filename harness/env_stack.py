"""A simulator stack that lives in its own Python environment (pins that conflict with the main one, e.g. SimplerEnv's
sapien 2.2.2 next to ManiSkill3's sapien 3): where its interpreter is, what the child process needs, and how long an
answer may take before the child counts as hung."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vla_harness.harness.errors import EnvFault, UserError


class StackMissing(EnvFault, UserError, RuntimeError):
    """The stack's environment is not set up: a one-line refusal before a run, an env_error inside one."""


@dataclass(frozen=True)
class EnvStack:
    name: str  # e.g. "simpler_official": `vla-harness env setup NAME` creates it
    venv: Path  # the environment's folder; its bin/python runs the child
    env_vars: dict[str, str] = field(default_factory=dict)  # set in the child only (e.g. a Vulkan layer)
    start_timeout_s: float = 600.0  # building an env (first import, scene loading)
    op_timeout_s: float = 300.0  # any other answer (a step, a render)

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def require(self) -> Path:
        if not self.python.is_file() or not os.access(self.python, os.X_OK):
            raise StackMissing(f"the '{self.name}' Python environment is not set up (no {self.python}): run "
                               f"`vla-harness env setup {self.name}`")
        return self.python
