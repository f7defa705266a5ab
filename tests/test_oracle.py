"""Oracle: geometry and phase logic without a simulator, and the privileged hook's refusals."""

from types import SimpleNamespace

import numpy as np
import pytest

from vla_harness.benchmarks.libero.privileged import NotPickAndPlace, pick_and_place_goal
from vla_harness.harness.episode import run_episode
from vla_harness.harness.types import Observation, TaskInfo
from vla_harness.policies.oracle import grasp, plan
from vla_harness.policies.oracle.motion import Motion, hold_orientation, move_toward
from vla_harness.policies.oracle.policy import OraclePolicy, PrivilegedStateMissing

DOWN = np.array([1.0, 0.0, 0.0, 0.0])  # eef pointing down (x, y, z, w)


def _state(obj="akita_black_bowl_1", eef=(0.0, 0.0, 1.2)):
    return {"relation": "on", "object": obj, "target": "plate_1",
            "object_pos": np.array([0.0, 0.2, 0.9]), "object_quat": DOWN,
            "object_aabb": np.array([[-0.05, 0.15, 0.9], [0.05, 0.25, 0.95]]),
            "target_pos": np.array([0.1, 0.4, 0.9]), "target_aabb": np.array([[0.03, 0.33, 0.9], [0.17, 0.47, 0.92]]),
            "eef_pos": np.array(eef), "eef_quat": DOWN, "gripper_qpos": np.array([0.04, -0.04])}


def test_spec_is_privileged_and_asks_for_no_camera():
    spec = OraclePolicy().spec()
    assert spec.privileged and spec.cameras == () and spec.replan_steps == 4


def test_bowl_is_grasped_by_the_rim_along_the_finger_axis():
    g = plan.choose_grasp(_state())
    assert g.rim and g.yaw == 0.0 and g.offset[1] == pytest.approx(-(0.05 - grasp.RIM_INSET))
    point = plan.grasp_point(_state(), g)
    assert point[:2] == pytest.approx([0.0, 0.2 - 0.038]) and point[2] == pytest.approx(0.95 - plan.RIM_DEPTH)
    box = plan.grasp_point(_state(obj="butter_1"), grasp.Grasp(np.zeros(2), 0.0))
    assert box[:2] == pytest.approx([0.0, 0.2]) and 0.9 < box[2] < 0.95


def test_place_point_puts_object_above_target_or_inside_it():
    on = plan.place_point(_state(), hang=0.03, offset_xy=np.array([0.0, -0.04]))
    assert on == pytest.approx([0.1, 0.36, 0.92 + plan.PLACE_GAP + 0.03])
    inside = plan.place_point({**_state(), "relation": "in"}, hang=0.03, offset_xy=np.zeros(2))
    assert 0.9 + 0.03 < inside[2] < 0.92 + 0.03


def test_moves_are_bounded_and_converge_to_the_waypoint():
    motion = Motion(np.array([0.3, 0.0, 1.0]), -1.0, 0.01, 50, 1.0)
    chunk = move_toward(np.zeros(3), motion, np.zeros(3), 4)
    assert chunk.shape == (4, 7) and chunk.dtype == np.float32 and np.all(np.abs(chunk) <= 1.0)
    assert np.all(chunk[:, 6] == -1.0) and np.all(chunk[:, 0] > 0)
    near = move_toward(np.array([0.299, 0.0, 1.0]), motion, np.zeros(3), 1)
    assert np.abs(near[0, :3]).max() < 0.05
    assert hold_orientation(DOWN, DOWN) == pytest.approx(np.zeros(3))


def test_phases_run_in_order_to_release():
    policy = OraclePolicy(chunk=1)
    policy.reset(TaskInfo("libero_spatial", "libero_spatial", 0, "t", "i"))
    state = _state()
    for step in range(400):
        obs = Observation(images={}, state={}, instruction="i", step=step, privileged=dict(state))
        action = policy.act(obs)[0]
        state["eef_pos"] = state["eef_pos"] + action[:3] * 0.0125  # an ideal arm
        if policy.phase in ("lift", "carry", "lower"):
            offset = state["eef_pos"] - np.array([0.0, 0.2 - 0.038, 0.95 - plan.RIM_DEPTH])
            state["object_pos"] = np.array([0.0, 0.2, 0.9]) + offset  # the bowl moves with the hand
            state["object_aabb"] = np.array([[-0.05, 0.15, 0.9], [0.05, 0.25, 0.95]]) + offset
    phases = [p for p, _ in policy.phase_log]
    assert phases == ["descend", "close", "lift", "carry", "lower", "open", "retreat"]
    assert np.linalg.norm(state["object_pos"][:2] - state["target_pos"][:2]) < 0.02


def test_without_privileged_state_the_episode_is_an_error_not_a_failure():
    from vla_harness.benchmarks.fake.bench import FakeBenchmark
    from vla_harness.harness.protocols import BenchSelection

    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1), 7)[0]
    policy = OraclePolicy()
    with pytest.raises(PrivilegedStateMissing):
        policy.reset(spec.task())
        policy.act(Observation(images={}, state={}, instruction="", step=0))
    out = run_episode(bench.make_env(spec), policy, spec, bench.protocol())  # fake state has no pick-and-place keys
    assert out.success is None and out.error.kind == "policy_error"


def test_goal_without_pick_and_place_is_refused():
    env = SimpleNamespace(parsed_problem={"goal_state": [["open", "wooden_cabinet_1_top_region"]]}, objects_dict={})
    with pytest.raises(NotPickAndPlace, match="not a pick-and-place task"):
        pick_and_place_goal(env)
    env = SimpleNamespace(parsed_problem={"goal_state": [["on", "bowl_1", "plate_1"]]}, objects_dict={"bowl_1": 0})
    assert pick_and_place_goal(env) == ("on", "bowl_1", "plate_1")


def test_rim_grasp_avoids_a_blocked_side():
    state = _state()
    free = plan.choose_grasp(state)
    # A wall right where the fingers would go down on that side: the oracle picks another rim point.
    wall_center = np.array([0.0, 0.2 + np.sign(free.offset[1]) * 0.075, 1.0])
    state["obstacles"] = {"center": wall_center[None], "rot": np.eye(3)[None], "half": np.array([[0.1, 0.01, 0.1]])}
    assert grasp.blocked(plan.grasp_point(state, free), free.yaw, state["obstacles"]) > 0.05
    other = plan.choose_grasp(state)
    assert not np.array_equal(other.offset, free.offset)
    assert grasp.blocked(plan.grasp_point(state, other), other.yaw, state["obstacles"]) < 0.01


def test_fingers_close_across_the_narrow_side_and_slide_away_from_a_neighbour():
    box = np.array([[x, y, z] for x in (-0.05, 0.05) for y in (-0.02, 0.02) for z in (0.9, 0.94)])
    state = {**_state(obj="cream_cheese_1"), "object_corners": box, "object_pos": np.array([0.0, 0.0, 0.9]),
             "object_aabb": np.array([box.min(0), box.max(0)])}
    g = plan.choose_grasp(state)
    assert g.yaw == 0.0 and np.allclose(g.offset, 0.0)  # narrow along y, where the fingers close at yaw 0
    turned = {**state, "object_corners": box[:, [1, 0, 2]], "object_aabb": np.array([box[:, [1, 0, 2]].min(0),
                                                                                      box[:, [1, 0, 2]].max(0)])}
    assert abs(plan.choose_grasp(turned).yaw) == pytest.approx(np.pi / 2, abs=0.14)
    # A tall neighbour under the palm's +x end: the grasp slides along the object towards -x.
    state["obstacles"] = {"center": np.array([[0.045, 0.0, 1.05]]), "rot": np.eye(3)[None],
                          "half": np.array([[0.02, 0.2, 0.1]])}
    slid = plan.choose_grasp(state)
    assert slid.offset[0] < 0 and grasp.blocked(plan.grasp_point(state, slid), slid.yaw, state["obstacles"]) < 0.01


def test_several_goals_are_served_in_order():
    goals = [["in", "soup_1", "basket_1_contain_region"], ["in", "sauce_1", "basket_1_contain_region"]]
    done: set[str] = set()
    env = SimpleNamespace(parsed_problem={"goal_state": goals}, objects_dict={"soup_1": 0, "sauce_1": 1},
                          _eval_predicate=lambda g: g[1] in done)
    assert pick_and_place_goal(env)[1] == "soup_1"
    done.add("soup_1")
    assert pick_and_place_goal(env)[1] == "sauce_1"
    done.add("sauce_1")
    assert pick_and_place_goal(env)[1] == "sauce_1"
