"""`make bench-serve`: requests/s and latency of `vla-harness serve` for 1, 2, 4, 8 concurrent clients, with and
without micro-batching.

The server is the real CLI (`vla-harness serve`) in its own process; each client is its own process (like sim
workers) with the harness's `remote` client, sending what a LIBERO policy gets: two 224x224 RGB cameras, an
8-dim state and the instruction. Two served policies:
  model  a simulated GPU model (offers act_batch): a call costs BASE_MS + PER_ITEM_MS x batch size, sleeping
         like a GPU kernel (the GIL is free meanwhile); the figures to read for batching
  zero   the registered `zero` policy: no compute, so the figures are the protocol's own cost
Usage: python scripts/bench_serve.py [--clients 1,2,4,8] [--duration 3] [--policies model,zero] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vla_harness.harness.types import Observation, PolicySpec, TaskInfo  # noqa: E402

CAMERAS = ("agentview", "wrist")


class SimulatedModel:
    """Stand-in for a batched GPU model: fixed cost per call plus a small cost per observation."""

    def __init__(self, base_ms: float = 20.0, per_item_ms: float = 1.0, chunk: int = 7) -> None:
        self.base_s, self.per_item_s, self.chunk = base_ms / 1000, per_item_ms / 1000, int(chunk)

    def spec(self) -> PolicySpec:
        return PolicySpec(name="simulated-model", cameras=CAMERAS, image_size=224, replan_steps=self.chunk,
                          state_keys=("state",))

    def reset(self, task: TaskInfo) -> None:
        pass

    def act(self, obs: Observation) -> np.ndarray:
        return self.act_batch([obs])[0]

    def act_batch(self, observations: list[Observation]) -> list[np.ndarray]:
        time.sleep(self.base_s + self.per_item_s * len(observations))
        return [np.zeros((self.chunk, 7), np.float32) for _ in observations]

    def close(self) -> None:
        pass


def _client(url: str, go, duration: float, out: mp.Queue) -> None:
    from vla_harness.policies.clients.remote import RemotePolicy

    policy = RemotePolicy(url=url, read_timeout_s=30)
    policy.reset(TaskInfo("libero_spatial", "libero_spatial", 0, "task", "pick up the black bowl", seed=1))
    rng = np.random.default_rng(0)
    obs = Observation(images={c: rng.integers(0, 255, (224, 224, 3), dtype=np.uint8) for c in CAMERAS},
                      state={"state": np.zeros(8, np.float32)}, instruction="pick up the black bowl", step=0)
    for _ in range(3):  # warm-up
        policy.act(obs)
    out.put("ready")
    go.wait()
    latencies, stop_at = [], time.perf_counter() + duration
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        policy.act(obs)
        latencies.append(time.perf_counter() - t0)
        obs.step += 1
    policy.close()
    out.put(latencies)


def _start_server(policy: str, max_batch: int, max_wait_ms: float) -> tuple[subprocess.Popen, str]:
    name = "scripts.bench_serve:SimulatedModel" if policy == "model" else "zero"
    extra = ["-P", "cameras=[agentview,wrist]"] if policy == "zero" else []
    proc = subprocess.Popen([sys.executable, "-m", "vla_harness", "serve", "--policy", name, "--port", "0",
                             "--max-batch", str(max_batch), "--max-wait-ms", str(max_wait_ms), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    match = re.search(r"on (ws://\S+) ", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line}")
    return proc, match.group(1)


def measure(url: str, clients: int, duration: float) -> dict:
    ctx = mp.get_context("spawn")
    out, go = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_client, args=(url, go, duration, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    for _ in procs:  # every client connected and warmed up: then all start together
        assert out.get(timeout=120) == "ready"
    go.set()
    latencies = np.concatenate([np.asarray(out.get(timeout=duration + 60)) for _ in procs]) * 1000
    for p in procs:
        p.join(10)
    return {"clients": clients, "requests": len(latencies), "req_per_s": len(latencies) / duration,
            "p50_ms": float(np.percentile(latencies, 50)), "p99_ms": float(np.percentile(latencies, 99))}


def _stats(url: str) -> dict:
    http = url.replace("ws://", "http://") + "/stats"
    with urllib.request.urlopen(http, timeout=5) as response:
        return json.loads(response.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,2,4,8")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured per cell")
    parser.add_argument("--policies", default="model,zero")
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows = []
    for policy in args.policies.split(","):
        for label, max_batch in (("off", 1), ("on", args.max_batch)):
            proc, url = _start_server(policy, max_batch, args.max_wait_ms)
            try:
                for n in (int(c) for c in args.clients.split(",")):
                    before = _stats(url)
                    row = measure(url, n, args.duration)
                    after = _stats(url)
                    batches = after["batches"] - before["batches"]
                    row.update(policy=policy, batching=label, mean_batch=(after["requests"] - before["requests"])
                               / batches if batches else 0.0)
                    rows.append(row)
                    print(f"  {policy:<5} batching {label:<3} clients {n}: {row['req_per_s']:7.1f} req/s  "
                          f"p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  mean batch "
                          f"{row['mean_batch']:.2f}", file=sys.stderr, flush=True)
            finally:
                proc.terminate()
                proc.wait(10)
    print("\n| policy | batching | clients | req/s | p50 ms | p99 ms | mean batch |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['policy']} | {r['batching']} | {r['clients']} | {r['req_per_s']:.1f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['mean_batch']:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
