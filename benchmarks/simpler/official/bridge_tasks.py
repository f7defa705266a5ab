"""The four WidowX Bridge tasks on the official stack, as SimplerEnv's own scripts run them (simpler-env/SimplerEnv
@4ab7178e scripts/octo_bridge.sh and rt1x_bridge.sh: robot widowx at (0.147, 0.028) on bridge_table_1_v1 with the
bridge_real_eval_1.png overlay, or widowx_sink_camera_setup at (0.127, 0.06) on bridge_table_1_v2 with bridge_sink.png;
--obj-variation-mode episode --obj-episode-range 0 24, 5 Hz control, 500 Hz physics, 60 or 120 steps). Trial i of a
task is episode id i; the task names and order are the ManiSkill3 port's (benchmarks/simpler/protocol.py)."""

from __future__ import annotations

from vla_harness.benchmarks.simpler.official.episode_config import Config
from vla_harness.benchmarks.simpler.protocol import SUITE, TASKS

EPISODES = 24
V0_ENV_IDS = ("PutCarrotOnPlateInScene-v0", "PutSpoonOnTableClothInScene-v0",
              "StackGreenCubeOnYellowCubeBakedTexInScene-v0", "PutEggplantInBasketScene-v0")  # ManiSkill2_real2sim's
SCENES = {"flat_table": ("bridge_table_1_v1", "widowx", (0.147, 0.028), "bridge_real_eval_1.png"),
          "sink": ("bridge_table_1_v2", "widowx_sink_camera_setup", (0.127, 0.06), "bridge_sink.png")}
TASK_NAMES = tuple(t.name for t in TASKS)
MODELS = {env_id: task.objects for env_id, task in zip(V0_ENV_IDS, TASKS)}  # the same model ids in both stacks


def _task(env_id: str, scene_setting: str, max_steps: int) -> list[Config]:
    scene, robot, xy, overlay = SCENES[scene_setting]
    return [Config(env_id, scene, max_steps, xy, obj_episode=i, overlay=overlay, robot=robot)
            for i in range(EPISODES)]


SUITES: dict[str, dict[str, list[Config]]] = {
    SUITE: {t.name: _task(env_id, t.scene, t.max_steps) for env_id, t in zip(V0_ENV_IDS, TASKS)}}
