"""Declared conventions, as data: what a benchmark's env renders and offers, and what a policy expects.

A benchmark's protocol carries `BenchConventions` (camera roles and how each camera renders, the state entries with
their layout and units, the action space); a policy's spec carries `PolicyConventions` in the same terms. The worker
joins the two once, before the first episode (harness/convert.py), and converts every observation and action chunk
in that one place. The tables for every shipped benchmark and policy are in docs/conventions.md.

State is named by *quantity* (QUANTITIES below): an env's entry says which quantities its array holds, in order;
a policy asks for named vectors built from quantities, e.g. openpi's 8-d LIBERO state
`eef_pos + eef_axis_angle + gripper_qpos`. Quantities an env does not hold directly are derived (DERIVED).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

UPRIGHT, ROTATED_180 = "upright", "rotated_180"
ORIENTATIONS = (UPRIGHT, ROTATED_180)  # rotated_180: MuJoCo's OpenGL renders, what LIBERO's raw images are

# quantity -> (size, units, meaning); size -1: as many as the robot has.
QUANTITIES: dict[str, tuple[int, str, str]] = {
    "eef_pos": (3, "m", "end-effector position xyz in the robot base/world frame"),
    "eef_quat_xyzw": (4, "-", "end-effector orientation, unit quaternion x, y, z, w (scalar last)"),
    "eef_quat_wxyz": (4, "-", "end-effector orientation, unit quaternion w, x, y, z (scalar first)"),
    "eef_axis_angle": (3, "rad", "end-effector orientation as axis * angle (robosuite quat2axisangle)"),
    "gripper_qpos": (2, "m", "the two finger joint positions"),
    "joint_pos": (-1, "rad", "arm joint positions"),
    "qpos": (-1, "rad|m", "every robot joint position (arm, then fingers)"),
}


@dataclass(frozen=True)
class CameraRole:
    """A camera of the env: the role policies ask for, its simulator name, and how the env's image is oriented."""

    role: str
    camera: str
    orientation: str = UPRIGHT
    aliases: tuple[str, ...] = ()  # other names policies may use for it (e.g. "agentview" for Bridge's one camera)

    def __post_init__(self) -> None:
        if self.orientation not in ORIENTATIONS:  # a typo here would silently skip (or add) a rotation
            raise ValueError(f"camera '{self.camera}': orientation must be one of {ORIENTATIONS}, "
                             f"got '{self.orientation}'")


@dataclass(frozen=True)
class StateEntry:
    """One array the env offers under `key`: the quantities it holds, concatenated in this order."""

    key: str
    quantities: tuple[str, ...]


@dataclass(frozen=True)
class Gripper:
    """Which action dimension is the gripper and what its values mean: `open` and `closed` are the two ends.

    An absolute gripper's value is where the fingers go; a `relative` one's is a command to move (`closed`: close,
    `open`: open, the midpoint: keep), e.g. the Google robot's pd_joint_target_delta_pos controller in SimplerEnv. A
    relative benchmark states for how many steps a change of an absolute-speaking policy is held (`sticky_steps`;
    harness/gripper.py converts)."""

    index: int = 6
    open: float = -1.0
    closed: float = 1.0
    relative: bool = False
    sticky_steps: int = 1


LIBERO_GRIPPER = Gripper(6, open=-1.0, closed=1.0)  # robosuite/LIBERO: -1 opens, +1 closes
BRIDGE_GRIPPER = Gripper(6, open=1.0, closed=-1.0)  # SimplerEnv WidowX: +1 open, -1 closed


@dataclass(frozen=True)
class ActionSpace:
    """The env's action: a name for what it is, per-dimension meaning and units, gripper, control rate."""

    name: str
    dims: tuple[str, ...]
    units: str
    gripper: Gripper
    control_hz: float


# LIBERO's (and LIBERO-Plus's) action space: named here because policies made for it (openpi's LIBERO recipe) and
# servers speaking its wire convention refer to it without importing a benchmark.
LIBERO_OSC_POSE = ActionSpace("libero_osc_pose", ("dx", "dy", "dz", "drx", "dry", "drz", "gripper"),
                              "OSC_POSE deltas in [-1, 1], scaled by the controller to at most 0.05 m and 0.5 rad "
                              "per step", LIBERO_GRIPPER, 20.0)
# What LIBERO's env accepts (robosuite 1.4 controllers/config/osc_pose.json input_min/max -1/1, clipped in
# base_controller.scale_action; the Panda gripper reads only the sign): a protocol's `action_bounds`.
LIBERO_ACTION_BOUNDS = ((-1.0, 1.0),) * 7


@dataclass(frozen=True)
class BenchConventions:
    cameras: tuple[CameraRole, ...]
    state: tuple[StateEntry, ...]
    action: ActionSpace

    def camera(self, wanted: str) -> CameraRole | None:
        """The camera a policy means by `wanted`: a role, a simulator name or an alias."""
        for cam in self.cameras:
            if wanted in (cam.role, cam.camera) or wanted in cam.aliases:
                return cam
        return None


@dataclass(frozen=True)
class StateVector:
    """A state vector a policy reads: obs.state[key] = the quantities, concatenated (float64, as the env gives)."""

    key: str
    quantities: tuple[str, ...]


@dataclass(frozen=True)
class PolicyConventions:
    """What a policy expects. The policy's `PolicySpec.cameras` name roles (or simulator cameras); images arrive
    under those names, oriented as `orientation` says. `state` vectors arrive in obs.state under their keys. Actions
    are read with `gripper`; `action_space`, when set, must be the benchmark's (e.g. openpi's LIBERO recipe)."""

    orientation: str | None = UPRIGHT  # None: as the env renders (for policies that do not look at pixels)
    state: tuple[StateVector, ...] = ()
    gripper: Gripper = LIBERO_GRIPPER
    action_space: str | None = None
    # An absolute gripper on a relative benchmark (harness/gripper.py): "difference" (the change of the policy's
    # openness, SimplerEnv's Octo wrapper) or "level" (the openness itself as the command, vla-eval's SimplerEnv step).
    to_relative: str = "difference"
    binarize: bool = False  # on an absolute benchmark: open or closed by the midpoint (SimplerEnv's WidowX wrappers)

    @staticmethod
    def from_dict(d: dict[str, Any] | None) -> "PolicyConventions | None":
        """Back from `dataclasses.asdict` (e.g. a server's metadata)."""
        if not d:
            return None
        state = tuple(StateVector(str(s["key"]), tuple(s["quantities"])) for s in d.get("state", ()))
        gripper = Gripper(**d["gripper"]) if d.get("gripper") else LIBERO_GRIPPER
        return PolicyConventions(orientation=d.get("orientation"), state=state, gripper=gripper,
                                 action_space=d.get("action_space"), to_relative=d.get("to_relative", "difference"),
                                 binarize=bool(d.get("binarize", False)))


def as_dict(conventions: Any) -> dict[str, Any] | None:
    return dataclasses.asdict(conventions) if conventions is not None else None


# -- the conversions themselves (pure functions; harness/convert.py applies them) --
def reorient(image: np.ndarray, have: str, want: str | None) -> np.ndarray:
    """The image as `want` orientation (None: as it is); rotating by 180 degrees is its own inverse."""
    if want is None or have == want:
        return image
    return np.ascontiguousarray(image[::-1, ::-1])


def quat_xyzw_to_axis_angle(quat: np.ndarray) -> np.ndarray:
    """robosuite's `transform_utils.quat2axisangle` (what LIBERO's ee_states and openpi's LIBERO client use): the
    scalar is clipped to [-1, 1]; a rotation whose sin(angle/2) is close to 0 gives zeros."""
    q = np.asarray(quat, dtype=np.float64)
    w = min(1.0, max(-1.0, float(q[3])))
    den = math.sqrt(1.0 - w * w)
    if math.isclose(den, 0.0):
        return np.zeros(3)
    return q[:3] * 2.0 * math.acos(w) / den


def axis_angle_to_quat_xyzw(axis_angle: np.ndarray) -> np.ndarray:
    v = np.asarray(axis_angle, dtype=np.float64)
    angle = float(np.linalg.norm(v))
    if angle < 1e-12:
        return np.array([0.0, 0.0, 0.0, 1.0])
    return np.concatenate([v / angle * math.sin(angle / 2), [math.cos(angle / 2)]])


# quantity -> (quantity it is computed from, function)
DERIVED = {
    "eef_axis_angle": (("eef_quat_xyzw", quat_xyzw_to_axis_angle), ("eef_quat_wxyz", lambda q: quat_xyzw_to_axis_angle(
        np.roll(q, -1)))),
    "eef_quat_xyzw": (("eef_quat_wxyz", lambda q: np.roll(q, -1)), ("eef_axis_angle", axis_angle_to_quat_xyzw)),
    "eef_quat_wxyz": (("eef_quat_xyzw", lambda q: np.roll(q, 1)),
                      ("eef_axis_angle", lambda v: np.roll(axis_angle_to_quat_xyzw(v), 1))),
}


def gripper_map(policy: Gripper, bench: Gripper) -> tuple[float, float]:
    """(scale, offset) with bench_value = scale * policy_value + offset: the policy's open/closed onto the bench's."""
    scale = (bench.closed - bench.open) / (policy.closed - policy.open)
    return scale, bench.open - scale * policy.open
