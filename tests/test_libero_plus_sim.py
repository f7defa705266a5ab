"""Real LIBERO-Plus variants, one per dimension runnable here: what the policy sees differs from the unperturbed task
in the way the official code defines (camera pose, robot joints, instruction, agentview noise, layout, textures)."""

import re

import numpy as np
import pytest

from vla_harness.benchmarks.libero.env import LiberoTask
from vla_harness.benchmarks.libero_plus import assets
from vla_harness.benchmarks.libero_plus.bench import LiberoPlusBenchmark, _official_suite
from vla_harness.benchmarks.libero_plus.catalog import catalog
from vla_harness.benchmarks.libero_plus.env import LiberoPlusEnv
from vla_harness.harness.seeding import with_seed

pytestmark = pytest.mark.sim
B = "pick_up_the_black_bowl_on_the_cookie_box_and_place_it_on_the_plate"
CAMS = ("agentview", "robot0_eye_in_hand")


def _variant(suite, base, dimension, where=lambda v: True):
    return next(v for v in catalog() if v.suite == suite and v.base == base and v.dimension == dimension and where(v))


def _spec(v):
    return with_seed(LiberoPlusBenchmark()._spec(v, 0, 5), 7)


@pytest.fixture(scope="module")
def base():
    """The unperturbed task, built by the same official ControlEnv from the base BDDL, in its init state 0."""
    v = _variant("libero_spatial", B, "camera")
    spec = _spec(v)
    bddl = str(assets.package_dir() / "bddl_files" / "libero_spatial" / f"{B}.bddl")
    assets.link_assets(assets.assets_source()[0])
    plain = LiberoPlusEnv(LiberoTask("libero_spatial", spec.task_id, B, "", bddl),
                          np.asarray(_official_suite(v.suite).get_task_init_states(v.index)), CAMS)
    plain.reset(spec.__class__(**{**spec.__dict__, "perturbation": None}))
    yield plain
    plain.close()


@pytest.fixture()
def variant_env(request):
    v = request.param
    spec = _spec(v)
    env = LiberoPlusBenchmark().make_env(spec)
    env.reset(spec)
    yield v, spec, env
    env.close()


def _arm(env):
    robot = env.env.env.robots[0]
    return env.env.sim.data.qpos[robot._ref_joint_pos_indexes].copy(), robot


@pytest.mark.parametrize("variant_env", [_variant("libero_spatial", B, "camera")], indirect=True)
def test_camera_variant_moves_the_agentview_camera(variant_env, base):
    _, _, env = variant_env
    cam = env.env.sim.model.camera_name2id("agentview")
    assert not np.allclose(env.env.sim.model.cam_pos[cam], base.env.sim.model.cam_pos[cam])
    a, b = env.observe(CAMS, 64).images["agentview"], base.observe(CAMS, 64).images["agentview"]
    assert np.abs(a.astype(int) - b).mean() > 5


@pytest.mark.parametrize("variant_env", [_variant("libero_spatial", B, "robot_init")], indirect=True)
def test_robot_variant_starts_from_its_own_joint_positions(variant_env, base):
    v, _, env = variant_env
    joints, robot = _arm(env)
    assert type(robot.robot_model).__name__.endswith(str(v.params["initstate"]))
    assert np.allclose(joints, robot.init_qpos, atol=1e-6)
    assert np.abs(joints - _arm(base)[0]).max() > 0.05
    state = env.observe((), 0, ("robot0_joint_pos",)).state["robot0_joint_pos"]
    assert np.allclose(state, joints, atol=1e-6)


@pytest.mark.parametrize("variant_env", [_variant("libero_spatial", B, "language")], indirect=True)
def test_language_variant_rewrites_the_instruction(variant_env):
    v, spec, env = variant_env
    bddl = (assets.package_dir() / "bddl_files" / v.suite / f"{v.name.split('_view_')[0]}.bddl").read_text()
    assert spec.instruction == re.search(r"\(:language (.+)\)", bddl).group(1).lower()  # as the official parser
    assert not spec.instruction.startswith("pick up the black bowl on the cookie box")
    assert env.observe((), 0).instruction == spec.instruction


GAUSSIAN = _variant("libero_spatial", B, "noise", lambda v: 11 <= v.params["noise"] <= 20)  # a fast official family


@pytest.mark.parametrize("variant_env", [GAUSSIAN], indirect=True)
def test_noise_variant_corrupts_the_agentview_image_only(variant_env):
    _, _, env = variant_env
    seen = env.observe(CAMS, 128).images
    sim = env.env.sim
    clean = {c: sim.render(camera_name=c, width=128, height=128) for c in CAMS}
    assert seen["agentview"].shape == (128, 128, 3) and seen["agentview"].dtype == np.uint8
    assert np.abs(seen["agentview"].astype(int) - clean["agentview"]).mean() > 2
    assert np.array_equal(seen["robot0_eye_in_hand"], clean["robot0_eye_in_hand"])


@pytest.mark.parametrize("variant_env", [_variant("libero_spatial", B, "layout", lambda v: "shift_level" in v.params)],
                         indirect=True)
def test_layout_variant_moves_the_objects(variant_env, base):
    _, _, env = variant_env
    n = env.env.sim.data.qpos.shape[0]
    assert n == base.env.sim.data.qpos.shape[0]
    assert np.abs(env.env.sim.data.qpos[9:] - base.env.sim.data.qpos[9:]).max() > 0.005


@pytest.mark.parametrize("variant_env", [next(v for v in catalog() if v.dimension == "background"
                                              and not assets.missing_files(v, assets.pro_assets()))], indirect=True)
def test_background_variant_changes_floor_and_wall_textures(variant_env):
    v, _, env = variant_env
    xml = env.env.env.model.get_xml()
    textures = set(re.findall(r'file="[^"]*/textures/([^"/]+\.png)"', xml))
    wanted = {f.split("/")[-1] for f in assets.required_files(v) if f.startswith("textures/")}
    assert wanted <= textures and "light-gray-floor-tile.png" not in wanted


def test_worker_records_a_real_episode_and_a_skipped_variant(tmp_path):
    from vla_harness.cli.resolve import run_job
    from vla_harness.harness.worker import EpisodeWorker

    bench = LiberoPlusBenchmark()
    run = _spec(_variant("libero_spatial", B, "camera"))
    run = run.__class__(**{**run.__dict__, "max_steps": 3})
    skip = _spec(_variant("libero_spatial", B, "light"))
    worker = EpisodeWorker(run_job("t", str(tmp_path), "libero_plus", "random"))
    try:
        ok, skipped = worker.run(run), worker.run(skip)
    finally:
        worker.close()
    assert ok.error is None and ok.steps == 3 and ok.spec.perturbation.dimension == "camera"
    assert skipped.error.kind == "skipped" and "scenes/lights/" in skipped.error.message and skipped.success is None
    assert bench.env_key(run) != bench.env_key(skip)
