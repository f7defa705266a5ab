"""Train a toy policy on the `fake` benchmark and evaluate it every N steps with the Python API.

    .venv/bin/python examples/train_in_loop.py --steps 300 --every 100 --out runs/toy

The policy is a linear map from what it sees (the target's pixel in the scene camera, the end effector's position) to
a reaching action, fitted by SGD to an expert's actions. Every `--every` steps the same Evaluator evaluates it: the
first call builds one env per task, the later ones reuse them (each result says how many envs it built). Every call
leaves a run directory that `vla-harness report` / `compare` / `view` read.
"""

from __future__ import annotations

import argparse

import numpy as np

import vla_harness
from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.harness.protocols import BenchSelection

SIZE = 32  # scene camera pixels: enough to find the target's marker


def features(image: np.ndarray, ee_pos: np.ndarray) -> np.ndarray:
    """Target x, y read off the camera (the red marker's centre, in [-1, 1]), the end effector's x, y, z, and 1."""
    red = (image[..., 0] > 150) & (image[..., 1] < 100)
    if red.any():
        v, u = np.nonzero(red)
        target_xy = np.array([u.mean(), v.mean()]) / (image.shape[1] - 1) * 2 - 1
    else:  # the end effector covers the marker: it is where the target is
        target_xy = ee_pos[:2]
    return np.concatenate([target_xy, ee_pos, [1.0]]).astype(np.float32)


class ToyReachPolicy:
    """A linear policy: action[:3] = W @ features; the gripper stays open. Implements vla_harness.Policy."""

    def __init__(self) -> None:
        self.weights = np.zeros((3, 6), np.float32)

    def spec(self) -> vla_harness.PolicySpec:
        return vla_harness.PolicySpec(name="toy-reach", version="1", cameras=("agentview",), image_size=SIZE,
                                      chunk_len=1, state_keys=("ee_pos",))

    def reset(self, task: vla_harness.TaskInfo) -> None:
        pass

    def act(self, obs: vla_harness.Observation) -> np.ndarray:
        arm = self.weights @ features(obs.images["agentview"], obs.state["ee_pos"])
        return np.concatenate([np.clip(arm, -1, 1), np.zeros(3), [-1.0]])[None].astype(np.float32)

    def close(self) -> None:
        pass

    def sgd_step(self, x: np.ndarray, y: np.ndarray, lr: float = 0.05) -> float:
        """One least-squares gradient step on a batch; returns the batch loss before the step."""
        error = x @ self.weights.T - y
        self.weights -= lr * (error.T @ x) / len(x)
        return float((error ** 2).mean())


def expert_data(n_episodes: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(features, expert action) pairs from noisy expert rollouts on the fake benchmark's own envs (training tasks
    are the benchmark's, episodes drawn with seeds no evaluation uses)."""
    rng, bench = np.random.default_rng(seed), FakeBenchmark()
    specs = bench.episodes(BenchSelection(trials=1), run_seed=10_000 + seed)
    xs, ys = [], []
    for i in range(n_episodes):
        spec = specs[i % len(specs)]
        env = bench.make_env(spec)
        env.reset(type(spec)(**{**spec.__dict__, "seed": int(rng.integers(1 << 31))}))
        for _ in range(12):
            obs = env.observe(("agentview",), SIZE)
            state = env.privileged_state()
            expert = np.clip((state["target"] - state["pos"]) / 0.1, -1, 1)
            xs.append(features(obs.images["agentview"], obs.state["ee_pos"]))
            ys.append(expert)
            env.step(np.concatenate([expert + rng.normal(0, 0.5, 3), np.zeros(3), [-1.0]]))
    return np.array(xs, np.float32), np.array(ys, np.float32)


def train(steps: int = 300, every: int = 100, out: str = "runs/toy", tasks=(0, 1, 2), trials: int = 5,
          batch: int = 64, seed: int = 0) -> list[vla_harness.EvalResult]:
    x, y = expert_data(seed=seed)
    rng = np.random.default_rng(seed)
    policy, results = ToyReachPolicy(), []
    with vla_harness.Evaluator("fake", tasks=list(tasks), trials=trials, out=out) as evaluator:
        for step in range(1, steps + 1):
            pick = rng.integers(len(x), size=batch)
            loss = policy.sgd_step(x[pick], y[pick])
            if step % every == 0:
                result = evaluator.evaluate(policy, name=f"step{step}", label="toy-reach")
                print(f"step {step}: loss {loss:.3f}, success {result.success}; {result.wall_s:.2f}s, "
                      f"{result.envs_built} env(s) built -> {result.run_dir}")
                results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--out", default="runs/toy")
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    train(args.steps, args.every, args.out, trials=args.trials)


if __name__ == "__main__":
    main()
