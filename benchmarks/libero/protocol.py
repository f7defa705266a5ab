"""The published LIBERO evaluation protocol, written down once; named paper variants in presets.py."""

from __future__ import annotations

from vla_harness.benchmarks.libero.presets import DEFAULT, PaperProtocol, comparability_facts, preset
from vla_harness.harness.conventions import (
    LIBERO_ACTION_BOUNDS,
    LIBERO_OSC_POSE,
    ROTATED_180,
    BenchConventions,
    CameraRole,
    StateEntry,
)
from vla_harness.harness.protocols import BenchProtocol

SOURCE = ("LIBERO (Liu et al. 2023) as run by OpenVLA run_libero_eval.py and openpi examples/libero/main.py: "
          "10 settle steps, init state i for trial i, success = env done")

# Max policy steps per episode (OpenVLA / openpi). lerobot-eval uses 280 for spatial, the VLA-JEPA script 250 (and 520
# on every LIBERO-Plus variant): `--protocol lerobot|vla-jepa` (presets.py); the value a run used is in its manifest.
MAX_STEPS = preset(DEFAULT).max_steps
SETTLE_STEPS = preset(DEFAULT).settle_steps
SETTLE_ACTION = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0)
TRIALS_PER_TASK = 50
CAMERAS = ("agentview", "robot0_eye_in_hand")
RENDER_SIZE = 256  # what the published scripts render; our loop renders at the policy's declared size
CONTROL_HZ = 20.0
# LIBERO's own reuse of an env places fixtures from an RNG that drifts with each reset (benchmarks/libero/env.py):
# the harness trims it, so an episode's scene depends only on its seed. Part of the protocol hash.
ENV_REUSE = "every reset places fixtures as a fresh env would (LIBERO's sampler growth trimmed)"
STATE_KEYS = ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "robot0_joint_pos")
# What LIBERO's env renders and offers (robosuite 1.4: OpenGL images, i.e. rotated 180 degrees; quaternions x,y,z,w).
CONVENTIONS = BenchConventions(
    cameras=(CameraRole("primary", "agentview", ROTATED_180),
             CameraRole("wrist", "robot0_eye_in_hand", ROTATED_180, aliases=("eye_in_hand",))),
    state=(StateEntry("robot0_eef_pos", ("eef_pos",)), StateEntry("robot0_eef_quat", ("eef_quat_xyzw",)),
           StateEntry("robot0_gripper_qpos", ("gripper_qpos",)), StateEntry("robot0_joint_pos", ("joint_pos",))),
    action=LIBERO_OSC_POSE)


# What reports need (results/facts.py): the suites are one table family, and the published LIBERO table's columns.
REPORT = {"family": "libero", "paper_columns": {"libero_spatial": "Spatial", "libero_object": "Object",
                                                "libero_goal": "Goal", "libero_10": "Long (libero_10)"}}

FRESH_PLACEMENTS = ("fresh: objects placed by LIBERO's own placement samplers after env.seed(episode seed), "
                    "no fixed init state; trials unbounded")


def libero_protocol(suite: str, protocol: str | PaperProtocol | None = None,
                    placements: str = "fixed") -> BenchProtocol:
    """placements="fresh" adds itself to `extra` (so to the hash); "fixed" leaves the protocol as it is."""
    paper = protocol if isinstance(protocol, PaperProtocol) else preset(protocol)
    fresh = {"placements": FRESH_PLACEMENTS} if placements == "fresh" else {}
    return BenchProtocol(name=suite, settle_steps=paper.settle_steps, settle_action=SETTLE_ACTION, action_dim=7,
                         control_hz=CONTROL_HZ, max_steps=paper.max_steps[suite], trials_per_task=TRIALS_PER_TASK,
                         cameras=CAMERAS, source=SOURCE, replan_steps=paper.replan_steps,
                         extra={"paper_protocol": paper.as_dict(), "controller": "OSC_POSE",
                                "published_render_size": RENDER_SIZE, "env_reuse": ENV_REUSE, **fresh},
                         conventions=CONVENTIONS, report={**REPORT, "paper_protocols": comparability_facts()},
                         action_bounds=LIBERO_ACTION_BOUNDS)
