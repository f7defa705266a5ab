"""Named paper protocols for LIBERO and LIBERO-Plus (`--protocol NAME`): each published eval script's numbers.

Every number below was read in the official script named in `source` (repo, file, commit); docs/protocols.md has the
table with the same citations. A preset fixes what makes two success rates comparable: max policy steps per suite
(and per LIBERO-Plus variant), settle steps, the `env.seed()` every episode's scene is placed with, and how many
actions of each returned chunk are executed before the policy is asked again (replan_steps; None: the whole chunk).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vla_harness.harness.config import ConfigError

LIBERO_SOURCE = ("OpenVLA-OFT moojink/openvla-oft@213c5ff experiments/robot/libero/run_libero_eval.py TASK_MAX_STEPS, "
                 "num_steps_wait=10, num_trials_per_task=50")


@dataclass(frozen=True)
class PaperProtocol:
    name: str
    max_steps: dict[str, int]  # per LIBERO suite
    plus_max_steps: int | None  # every LIBERO-Plus variant; None: its suite's max_steps
    settle_steps: int
    env_seed: int | None  # env.seed(N) before every episode; None: the episode's own seed (harness default)
    seed_adds_trial: bool  # env.seed(env_seed + trial), as lerobot-eval seeds its rollouts
    replan_steps: int | None  # actions executed per returned chunk; None: the whole chunk
    trials_per_task: int
    render_size: int  # what the published loop renders (the clients resize from it)
    source: str

    def summary(self) -> str:
        """One line for the foot of a table."""
        steps = "/".join(str(self.max_steps[s]) for s in ("libero_spatial", "libero_object", "libero_goal",
                                                            "libero_10", "libero_90"))
        plus = f"; LIBERO-Plus {self.plus_max_steps} every variant" if self.plus_max_steps else ""
        seed = "env.seed(episode seed)" if self.env_seed is None else \
            f"env.seed({self.env_seed}{' + trial' if self.seed_adds_trial else ''})"
        replan = f"replan every {self.replan_steps}" if self.replan_steps else "whole chunk executed"
        return (f"protocol {self.name}: max steps spatial/object/goal/10/90 {steps}{plus}; {self.settle_steps} "
                f"settle steps; {seed}; {replan} (source: {self.source})")

    def as_dict(self) -> dict[str, Any]:
        """For the protocol's `extra` (hashed, in the manifest); `summary` is the line reports print under tables."""
        return {**dataclasses.asdict(self), "summary": self.summary()}

    def env_seed_for(self, trial: int) -> int | None:
        if self.env_seed is None:
            return None
        return self.env_seed + (trial if self.seed_adds_trial else 0)


_LIBERO_STEPS = {"libero_spatial": 220, "libero_object": 280, "libero_goal": 300, "libero_10": 520, "libero_90": 400}

PRESETS: dict[str, PaperProtocol] = {p.name: p for p in (
    PaperProtocol("libero", dict(_LIBERO_STEPS), None, 10, None, False, None, 50, 256, LIBERO_SOURCE),
    PaperProtocol("openpi", dict(_LIBERO_STEPS), None, 10, 7, False, 5, 50, 256,
                  "Physical-Intelligence/openpi@15a9616 examples/libero/main.py: max_steps 220/280/300/520/400, "
                  "num_steps_wait=10, replan_steps=5, seed=7 -> env.seed(7)"),
    PaperProtocol("vla-jepa", {**_LIBERO_STEPS, "libero_spatial": 250}, 520, 10, 7, False, None, 50, 256,
                  "ginwind/VLA-JEPA@ec8c70f examples/LIBERO/eval_libero.py: max_steps 250/280/300/520/400 and 520 "
                  "for libero_mix (examples/LIBERO-Plus/eval_libero_plus.sh runs every LIBERO-Plus category as "
                  "libero_mix, 1 trial), num_steps_wait=10, seed=7 -> env.seed(7), the whole chunk "
                  "(future_action_window_size+1) executed"),
    PaperProtocol("lerobot", {**_LIBERO_STEPS, "libero_spatial": 280}, None, 10, 1000, True, None, 50, 360,
                  "huggingface/lerobot@7427f31 src/lerobot/envs/libero.py TASK_SUITE_MAX_STEPS 280/280/300/520/400, "
                  "num_steps_wait=10, observation 360 px (envs/configs.py); lerobot-eval seeds env.seed(1000 + i) "
                  "(configs/eval.py seed=1000); n_action_steps is the policy's own"),
)}
DEFAULT = "libero"


def comparability_facts() -> dict[str, Any]:
    """For a report's `paper_protocols` fact: what each preset fixes that decides whether a published number and a
    measured one are comparable (max steps per suite and per LIBERO-Plus variant, settle steps)."""
    return {name: {"max_steps": dict(p.max_steps), "plus_max_steps": p.plus_max_steps, "settle_steps": p.settle_steps}
            for name, p in PRESETS.items()}


def preset(name: str | None, env_seed: int | None = None) -> PaperProtocol:
    """The named preset; a one-line error naming the allowed ones. `env_seed` (bench option `-B env_seed=N`)
    replaces its env.seed(): every episode's reset seeded with N, as openpi's scripts seed each task's env with 7."""
    found = PRESETS.get(name or DEFAULT)
    if found is None:
        raise ConfigError(f"unknown protocol '{name}'; allowed: {', '.join(PRESETS)} (see docs/protocols.md)")
    if env_seed is None:
        return found
    return dataclasses.replace(found, env_seed=int(env_seed), seed_adds_trial=False)
