"""SimplerEnv's own evaluation loop with a scripted policy, for the parity test (tests/test_simpler_parity_sim.py).

Run by the simpler_official environment's interpreter: `python tests/official_loop.py OUT.npz ACTIONS.json ARGS...`,
where ARGS are simpler_env/main_inference.py's command line (simpler-env/SimplerEnv@4ab7178e). It does what that
script does after building its model (simpler_env/main_inference.py: DISPLAY="", then
`maniskill2_evaluator(model, get_args())`), with the loop's code imported from the fetched SimplerEnv tree. Only
outputs are replaced: the video writer and the action plot (mediapy / matplotlib, not installed there) become
recorders, and the env the loop builds is wrapped to record what it executes; nothing the loop computes is changed.
"""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import numpy as np


class Recorded:
    """The loop's env, recording each executed action and the tool pose and info after each reset and step."""

    def __init__(self, env, log: dict) -> None:
        self._env, self._log = env, log

    def __getattr__(self, name):
        return getattr(self._env, name)

    def reset(self, *args, **kwargs):
        out = self._env.reset(*args, **kwargs)
        self._log["tcp"].append(_tcp(self._env))
        self._log["episode_seed"] = int(self._env.unwrapped._episode_seed)
        return out

    def step(self, action):
        self._log["actions"].append(np.asarray(action, dtype=np.float64))
        out = self._env.step(action)
        self._log["tcp"].append(_tcp(self._env))
        self._log["info"] = {k: v.item() if isinstance(v, np.generic) else v for k, v in out[4].items()
                             if isinstance(v, (bool, int, float, np.generic))}
        return out


def _tcp(env) -> np.ndarray:
    pose = env.unwrapped.tcp.pose
    return np.concatenate([pose.p, pose.q])


class Scripted:
    """A policy for the loop's `model.step(image, task_description)`: the given actions in order, never terminating."""

    def __init__(self, actions: list[list[float]]) -> None:
        self.actions, self.images, self.i = actions, [], 0

    def reset(self, task_description: str) -> None:
        self.i = 0

    def step(self, image, task_description):
        self.images.append(np.array(image))
        a = np.asarray(self.actions[self.i], dtype=np.float64)
        self.i += 1
        action = {"world_vector": a[:3], "rot_axangle": a[3:6], "gripper": a[6:7], "terminate_episode": np.zeros(1)}
        return action, action

    def visualize_epoch(self, *args, **kwargs) -> None:
        pass


def _stub_outputs(log: dict) -> None:
    media = types.ModuleType("mediapy")
    media.write_video = lambda path, images, fps=5: log.__setitem__("frames", [np.array(i) for i in images])
    plt = types.ModuleType("matplotlib.pyplot")
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = plt
    sys.modules.update({"mediapy": media, "matplotlib": matplotlib, "matplotlib.pyplot": plt})


def main() -> None:
    out, actions_file, *argv = sys.argv[1:]
    tree = Path(os.environ["SIMPLER_ENV_TREE"])
    sys.path.insert(0, str(tree))  # the loop's code from the fetched, blob-checked tree
    log: dict = {"actions": [], "tcp": [], "info": {}, "frames": []}
    _stub_outputs(log)
    os.environ["DISPLAY"] = ""
    from simpler_env.evaluation import maniskill2_evaluator as evaluator
    from simpler_env.evaluation.argparse import get_args

    assert Path(evaluator.__file__).is_relative_to(tree), evaluator.__file__
    build = evaluator.build_maniskill2_env
    evaluator.build_maniskill2_env = lambda *a, **k: Recorded(build(*a, **k), log)
    model = Scripted(json.loads(Path(actions_file).read_text()))
    sys.argv = ["main_inference.py", *argv]
    success = evaluator.maniskill2_evaluator(model, get_args())
    np.savez(out, success=np.array(success), actions=np.array(log["actions"]), tcp=np.array(log["tcp"]),
             frames=np.array(log["frames"]), model_images=np.array(model.images),
             info=json.dumps(log["info"]), episode_seed=log["episode_seed"])


if __name__ == "__main__":
    main()
