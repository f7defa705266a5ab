"""Real LIBERO: `--policy openpi` sends, at each decision point, what openpi's own LIBERO loop sends from the same
simulator state (openpi@15a9616a examples/libero/main.py, recipe in tests/test_openpi.py)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from tests.openpi_server import OpenpiStandIn
from tests.test_openpi import CHUNK, assert_same_element, openpi_element
from vla_harness.benchmarks.libero.bench import init_states, libero_task
from vla_harness.benchmarks.libero.suites import libero_spatial
from vla_harness.harness.convert import conform
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection
from vla_harness.policies.clients.openpi import OpenpiPolicy

DUMMY = [0.0] * 6 + [-1.0]  # main.py's LIBERO_DUMMY_ACTION, sent for num_steps_wait=10 steps


def openpi_loop(task_id: int, chunk: np.ndarray, requests: int) -> list[dict]:
    """main.py's episode 0 of a task, stopped after `requests` elements: OffScreenRenderEnv at 256 px, env.seed(7),
    reset, init state 0, 10 dummy steps, then an element every replan_steps=5 executed actions."""
    from libero.libero.envs import OffScreenRenderEnv

    task = libero_task("libero_spatial", task_id)
    with contextlib.redirect_stdout(io.StringIO()):
        env = OffScreenRenderEnv(bddl_file_name=task.bddl_path, camera_heights=256, camera_widths=256)
    try:
        env.seed(7)
        env.reset()
        obs = env.set_init_state(init_states("libero_spatial", task_id)[0])
        for _ in range(10):
            obs, _, _, _ = env.step(DUMMY)
        elements = []
        for _ in range(requests):
            elements.append(openpi_element(obs, task.instruction))
            for action in chunk[:5]:
                obs, _, _, _ = env.step(action.tolist())
        return elements
    finally:
        env.close()


@pytest.mark.sim
def test_openpi_client_sends_what_openpis_libero_loop_sends():
    bench = libero_spatial(env_seed=7)  # openpi's env.seed(7): its fixture placement
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1, max_steps=10), run_seed=7)[0]
    with OpenpiStandIn(CHUNK) as server:
        policy = conform(OpenpiPolicy(url=server.url), bench.protocol())
        env = bench.make_env(spec)
        try:
            out = run_episode(env, policy, spec, bench.protocol())
        finally:
            env.close()
            policy.close()
    assert out.error is None and out.steps == 10 and len(server.received) == 2
    expected = openpi_loop(0, CHUNK, requests=2)
    for i, (sent, want) in enumerate(zip(server.received, expected)):
        # mean |difference| of the 0-255 pixels: a few renderer-level pixels (the README's figures come from -s)
        print(f"decision {i}:", assert_same_element(sent, want, image_atol=1.0))
        assert sent["observation/image"].std() > 10  # a real scene, not a blank
