"""Real SimplerEnv Bridge: ManiSkill3 + SAPIEN rendering through Vulkan lavapipe, a few steps only."""

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.simpler.bench import SimplerBridgeBenchmark
from vla_harness.cli.commands.show_env_cmd import render_task
from vla_harness.cli.resolve import evaluate
from vla_harness.harness.config import RunConfig
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.results.summary import summary_table

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def carrot():
    bench = SimplerBridgeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=2, max_steps=4), run_seed=1)[1]
    env = bench.make_env(spec)
    yield bench, spec, env
    env.close()


def test_real_episode_renders_only_when_asked(carrot):
    bench, spec, env = carrot
    renders = []
    real_render = env.sim._get_obs_sensor_data
    env.sim._get_obs_sensor_data = lambda *a, **k: renders.append(1) or real_render(*a, **k)
    try:
        policy = ScriptedPolicy(chunk=np.tile([0.01, 0, 0, 0, 0, 0, 1], (2, 1)).astype(np.float32),
                                cameras=("3rd_view_camera",), size=64)
        out = run_episode(env, policy, spec, bench.protocol())
    finally:
        del env.sim._get_obs_sensor_data
    assert out.error is None and out.steps == 4 and out.success is False
    assert len(policy.calls) == 2 and len(renders) == 2  # one render per policy call, none in step()
    image = policy.calls[0].images["3rd_view_camera"]
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and image.std() > 10
    assert out.metrics["stage_stand_in"] is True and "stand-in" in out.metrics["note"]
    assert set(out.metrics) >= {"is_src_obj_grasped", "consecutive_grasp", "success_any_step"}


def test_policy_sees_the_official_overlay_observation(carrot):
    _, spec, env = carrot
    env.reset(spec)
    env.sim._obs_mode = env.visual_mode  # the official path: get_obs() in rgb+segmentation mode
    try:
        official = env.sim.get_obs()["sensor_data"]["3rd_view_camera"]["rgb"][0].numpy()
    finally:
        env.sim._obs_mode = "none"
    mine = env.render_native()
    assert mine.shape == (480, 640, 3) and np.array_equal(mine, official)
    with pytest.raises(ValueError, match="one camera"):
        env.observe(("wrist",), 32)


def test_cli_path_records_metrics_and_show_env_png(tmp_path):
    cfg = RunConfig(bench="simpler_bridge", policy="zero", tasks=[2], trials=1, max_steps=3, out=str(tmp_path),
                    name="r", policy_options={"chunk": 3, "image_size": 32})
    rec = evaluate(cfg, progress=False).records[0]
    assert summary_table([rec]).splitlines()[-1].startswith("note: table stage is a flat-box stand-in")
    assert rec.error is None and rec.success is False and rec.steps == 3
    assert rec.metrics["stage_stand_in"] is True and rec.metrics["consecutive_grasp"] is False
    image, instruction = render_task("simpler_bridge", 1, trial=5, size=48, options={})
    assert image.shape == (48, 48, 3) and image.std() > 10 and "spoon" in instruction


def test_success_is_judged_on_the_last_step(carrot):
    from mani_skill.utils.structs.pose import Pose

    _, spec, env = carrot
    env.reset(spec)
    carrot_obj = env.sim.objs["bridge_carrot_generated_modified"]
    above_plate = env.sim.objs["bridge_plate_objaverse_larger"].pose.p.clone()
    above_plate[0, 2] += 0.03
    carrot_obj.set_pose(Pose.create_from_pq(p=above_plate, q=carrot_obj.pose.q))
    results = [env.step(np.array([0, 0, 0, 0, 0, 0, 1], np.float32)) for _ in range(spec.max_steps)]
    assert [r.success for r in results] == [False] * (spec.max_steps - 1) + [True]
    assert results[-1].info["src_on_target"] and results[0].info["success_any_step"]
