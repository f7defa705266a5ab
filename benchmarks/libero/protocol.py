"""The published LIBERO evaluation protocol, written down once (sources in ../shared/PROTOCOLS.md)."""

from __future__ import annotations

from harness.protocols import BenchProtocol

SOURCE = ("LIBERO (Liu et al. 2023) as run by OpenVLA run_libero_eval.py and openpi examples/libero/main.py: "
          "10 settle steps, init state i for trial i, success = env done")

# Max policy steps per episode (OpenVLA / openpi). lerobot uses 280 for spatial, the VLA-JEPA script 400:
# pass --max-steps to match those; the value a run used is in its manifest and protocol hash.
MAX_STEPS = {"libero_spatial": 220, "libero_object": 280, "libero_goal": 300, "libero_10": 520, "libero_90": 400}
SETTLE_STEPS = 10
SETTLE_ACTION = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0)
TRIALS_PER_TASK = 50
CAMERAS = ("agentview", "robot0_eye_in_hand")
RENDER_SIZE = 256  # what the published scripts render; our loop renders at the policy's declared size
CONTROL_HZ = 20.0
# LIBERO's own reuse of an env places fixtures from an RNG that drifts with each reset (benchmarks/libero/env.py):
# the harness trims it, so an episode's scene depends only on its seed. Part of the protocol hash.
ENV_REUSE = "every reset places fixtures as a fresh env would (LIBERO's sampler growth trimmed)"
STATE_KEYS = ("robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos", "robot0_joint_pos")


FRESH_PLACEMENTS = ("fresh: objects placed by LIBERO's own placement samplers after env.seed(episode seed), "
                    "no fixed init state; trials unbounded")


def libero_protocol(suite: str, placements: str = "fixed") -> BenchProtocol:
    """The published protocol; placements="fresh" adds itself to `extra` (so to the hash), "fixed" leaves it as is."""
    fresh = {"placements": FRESH_PLACEMENTS} if placements == "fresh" else {}
    return BenchProtocol(name=suite, settle_steps=SETTLE_STEPS, settle_action=SETTLE_ACTION, action_dim=7,
                         control_hz=CONTROL_HZ, max_steps=MAX_STEPS[suite], trials_per_task=TRIALS_PER_TASK,
                         cameras=CAMERAS, source=SOURCE,
                         extra={"controller": "OSC_POSE", "image_convention": "opengl (upside down; policies "
                                "usually flip with img[::-1, ::-1])", "published_render_size": RENDER_SIZE, "env_reuse": ENV_REUSE, **fresh})
