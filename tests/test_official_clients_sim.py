"""Real LIBERO: the VLA-JEPA request built by the harness (its env + the worker's conversion + the client) against the
official recipe applied to LIBERO's own OffScreenRenderEnv observation of the same state (init state 0, env.seed(7),
10 settle steps, as examples/LIBERO/eval_libero.py); and a real `vla-harness eval` round trip per client."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.official_servers import OftServer, StarVlaServer
from tests.test_official_clients import FAST, NORMALIZED, stats, vla_jepa_official_request  # noqa: F401
from tests.test_vla_eval_client import DummyModel, serve
from vla_harness.benchmarks.libero.bench import LiberoBenchmark, init_states, libero_task
from vla_harness.benchmarks.libero.protocol import CONVENTIONS, SETTLE_ACTION
from vla_harness.cli.main import main
from vla_harness.harness.convert import plan_for
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.store import read_records
from vla_harness.policies.clients.vla_jepa_official import VlaJepaOfficialPolicy
from vla_harness.policies.wire.libero_inputs import RENDER_SIZE

pytestmark = pytest.mark.sim


def _official_obs(task, init_state) -> dict:
    from libero.libero.envs import OffScreenRenderEnv

    env = OffScreenRenderEnv(bddl_file_name=task.bddl_path, camera_heights=256, camera_widths=256)
    try:
        env.seed(7)
        env.reset()
        obs = env.set_init_state(init_state)
        for _ in range(10):
            obs, _, _, _ = env.step(list(SETTLE_ACTION))
        return {**{k: np.array(v) for k, v in obs.items()}, "task": task.instruction}
    finally:
        env.close()


def test_real_libero_request_equals_the_official_recipe(stats):  # noqa: F811
    bench = LiberoBenchmark("libero_spatial", protocol="vla-jepa")  # env.seed(7), as the official script
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1), 7)[0]
    server, env = StarVlaServer(NORMALIZED), bench.make_env(spec)
    try:
        env.reset(spec)
        for _ in range(10):
            env.step(np.asarray(SETTLE_ACTION))
        policy = VlaJepaOfficialPolicy(url=server.url, stats=stats, **FAST)
        plan = plan_for(CONVENTIONS, policy.spec(), "libero_spatial", 7)
        policy.act(plan.observation(env.observe(plan.env_spec.cameras, RENDER_SIZE, plan.env_spec.state_keys)))
    finally:
        env.close()
        server.close()
    raw = _official_obs(libero_task("libero_spatial", 0), init_states("libero_spatial", 0)[0])
    sent, expected = server.received[0]["payload"], vla_jepa_official_request(raw)["payload"]
    assert np.allclose(sent["state"][0], expected["state"][0], atol=1e-6)
    for got, want in zip(sent["batch_images"][0], expected["batch_images"][0]):
        assert got.shape == want.shape == (224, 224, 3)
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 0.5  # measured 0.002 and 0.047 levels
    assert {k: v for k, v in sent.items() if k not in ("state", "batch_images")} == \
        {k: v for k, v in expected.items() if k not in ("state", "batch_images")}


@pytest.mark.parametrize("client", ["vla_jepa_official", "openvla_oft", "vla_eval"])
def test_real_round_trip_through_vla_harness_eval(client, tmp_path, stats, capsys):  # noqa: F811
    if client == "vla_jepa_official":
        server, options = StarVlaServer(NORMALIZED), ["-P", f"stats={stats}"]
        url, received = server.url, server.received
    elif client == "openvla_oft":
        server, options = OftServer([np.zeros(7, np.float32)] * 8), []
        url, received = server.url, server.received
    else:
        model, server, options = DummyModel(), None, []
        url, received = serve(model), model.seen
    try:
        code = main(["eval", "--bench", "libero_spatial", "--policy", client, "--policy-url", url, "--tasks", "0",
                     "--trials", "1", "--max-steps", "8", "--protocol", "vla-jepa", "--out", str(tmp_path),
                     "--name", client, "--no-progress", *options])
    finally:
        if server is not None:
            server.close()
    assert code == 0
    [record] = read_records(tmp_path / client)
    assert record.error is None and record.steps == 8, record.error
    assert len(received) == (1 if client != "vla_eval" else 2)  # chunks of 8 (vla-eval: its server's chunk of 4)
    manifest = json.loads((tmp_path / client / "manifest.json").read_text())
    assert manifest["config"]["policy"] == client and "protocol vla-jepa" in capsys.readouterr().out
