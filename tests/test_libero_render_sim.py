"""LIBERO images through our render path (a context kept across hard resets, meshes culled per camera) are
bit-identical to robosuite's own path (a fresh context made at reset, `sim.render`), for several scenes, cameras,
sizes and arm poses."""

import numpy as np
import pytest

from vla_harness.benchmarks.libero import cull, sky
from vla_harness.benchmarks.libero.bench import LiberoBenchmark
from vla_harness.harness.protocols import BenchSelection

pytestmark = pytest.mark.sim
CAMERAS, SIZES = ("agentview", "robot0_eye_in_hand"), (64, 224, 256)


class RobosuiteRender:
    """What LiberoEnv did before: robosuite's context, made for this sim at reset, and robosuite's `sim.render`."""

    def __init__(self, sim) -> None:
        from robosuite.utils.binding_utils import MjRenderContextOffscreen

        ours, self.sim = sim._render_context_offscreen, sim
        self.ctx = MjRenderContextOffscreen(sim, device_id=-1)
        self.ctx.vopt.geomgroup[0], self.ctx.vopt.geomgroup[1] = 0, 1  # as robosuite's _reset_internal sets them
        sim.add_render_context(ours)

    def images(self) -> dict:
        ours = self.sim._render_context_offscreen
        self.sim.add_render_context(self.ctx)
        self.ctx.gl_ctx.make_current()
        try:
            return {(c, s): self.sim.render(camera_name=c, width=s, height=s) for c in CAMERAS for s in SIZES}
        finally:
            self.sim.add_render_context(ours)

    def free(self) -> None:
        self.ctx.con.free()
        self.ctx.gl_ctx.free()


@pytest.fixture
def plans(monkeypatch):
    """How many renders each image took (0: drawn whole), how many meshes were left out; whether the sky was."""
    seen, plan, hidden = [], cull.plan, sky.SkyCheck.hidden

    def spy(*args):
        passes = plan(*args)
        seen.append((0, 0) if passes is None else (len(passes), max(len(p.drop) for p in passes)))
        return passes

    def sky_spy(self, *args):
        seen.append(("sky", hidden(self, *args)))
        return seen[-1][1]

    monkeypatch.setattr(cull, "plan", spy)
    monkeypatch.setattr(sky.SkyCheck, "hidden", sky_spy)
    return seen


# a kitchen with the reflective stove, a floor scene, a living room
@pytest.mark.parametrize("suite,task", [("libero_spatial", 0), ("libero_object", 3), ("libero_10", 0)])
def test_images_are_bit_identical_to_robosuite_render(suite, task, plans):
    bench = LiberoBenchmark(suite)
    specs = bench.episodes(BenchSelection(tasks=(task,), trials=2), run_seed=7)
    env = bench.make_env(specs[0])
    try:
        contexts = []
        for spec in specs:  # the second reset hands the kept context to a freshly compiled model
            env.reset(spec)
            contexts.append(env.renderer.ctx)
            reference = RobosuiteRender(env.env.sim)
            rng = np.random.default_rng(spec.trial)
            for _ in range(6):
                env.step(np.append(rng.uniform(-1, 1, 6), 1.0))
            ours = {(c, s): env.render(c, s) for c in CAMERAS for s in SIZES}
            theirs = reference.images()
            reference.free()
            assert [k for k in ours if not np.array_equal(ours[k], theirs[k])] == []
            assert {img.shape for img in ours.values()} == {(s, s, 3) for s in SIZES}
        assert contexts[0] is contexts[1]
    finally:
        env.close()
    renders = [p for p in plans if p[0] != "sky"]
    assert all(n >= 1 for n, _ in renders) and any(dropped for _, dropped in renders)
    assert ("sky", True) in plans  # the eye-in-hand camera looks at the floor: no skybox drawn
    if suite == "libero_spatial":
        assert {n for n, _ in renders} >= {2}  # the stove top is drawn apart
