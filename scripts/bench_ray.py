"""`make bench-ray`: the same episodes with the local runner and with the Ray runner; throughput and scaling.

Prints episodes/hour for both, the scaling ratio (with and without Ray's start-up), Ray start-up seconds, the peak
memory of Ray's own processes and of its workers, and whether both runners gave the same records (success, steps).
The default run is LIBERO-spatial with the zero policy (chunk 8, agentview at 224) on 2 tasks x 4 trials.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
PIN_LOCAL = "--no-pin-local" not in sys.argv
if PIN_LOCAL:  # before numpy/Mesa start their thread pools: the local runner renders with 1 thread, like a Ray worker
    for _name in ("LP_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "NUMEXPR_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

import psutil  # noqa: E402 - installed with ray

from vla_harness.cli.resolve import plan_run  # noqa: E402
from vla_harness.harness.config import RunConfig  # noqa: E402
from vla_harness.harness.evaluate import execute, start_run  # noqa: E402
from vla_harness.harness.runners.ray_runner import RayOptions, connect, worker_env  # noqa: E402
from vla_harness.harness.store import read_records  # noqa: E402

MiB = 1024**2
WORKER_TAG = "ray::RayEpisodeActor"


class MemorySampler:
    """Peak summed RSS and CPU seconds of this process (the local runner) and of Ray's processes (infra / workers)."""

    def __init__(self, period_s: float = 0.5) -> None:
        self.period_s, self.peak = period_s, {"driver": 0, "ray_infra": 0, "ray_infra_uss": 0, "ray_workers": 0}
        self._cpu: dict[int, tuple[str, float]] = {}  # pid -> (part, CPU seconds last seen)
        self.cpu_s: dict[str, float] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "MemorySampler":
        me = psutil.Process().cpu_times()
        self._driver_cpu0 = me.user + me.system
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        me = psutil.Process().cpu_times()
        self.cpu_s = {"driver": me.user + me.system - self._driver_cpu0, "ray_infra": 0.0, "ray_workers": 0.0}
        for part, seconds in self._cpu.values():
            self.cpu_s[part] += seconds

    def processes(self) -> list[tuple[str, str, float]]:
        """(command, part, CPU seconds) of every child process seen, busiest first: to audit the totals."""
        rows = [(self.names.get(pid, "?"), part, round(sec, 2)) for pid, (part, sec) in self._cpu.items()]
        return sorted(rows, key=lambda r: -r[2])

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            now = {"driver": me.memory_info().rss, "ray_infra": 0, "ray_infra_uss": 0, "ray_workers": 0}
            for proc in me.children(recursive=True):
                try:
                    cmd = " ".join(proc.cmdline())
                    seen = self._cpu.get(proc.pid, ("", 0.0))[0] == "ray_workers"  # a dying worker loses its title
                    part = "ray_workers" if WORKER_TAG in cmd or seen else "ray_infra"
                    self.names[proc.pid] = cmd[:80] if cmd.strip() else self.names.get(proc.pid, "?")
                    if part == "ray_workers":
                        now["ray_workers"] += proc.memory_info().rss
                    else:  # RSS counts shared pages (libraries, the object store) again in each process; USS does not
                        mem = proc.memory_full_info()
                        now["ray_infra"] += mem.rss
                        now["ray_infra_uss"] += mem.uss
                    times = proc.cpu_times()
                    self._cpu[proc.pid] = (part, times.user + times.system)
                except psutil.Error:
                    pass
            self.peak = {k: max(v, now[k]) for k, v in self.peak.items()}
            self._stop.wait(self.period_s)


def run_phase(args: argparse.Namespace) -> None:
    """One runner in this (fresh) process: its wall time, Ray's start-up and peak memory go to --phase-json."""
    cfg = RunConfig(bench=args.bench, policy=args.policy, tasks=[int(t) for t in args.tasks.split(",")],
                    trials=args.trials, max_steps=args.max_steps, out=args.out, name=f"{args.phase}-{args.stamp}",
                    runner=args.phase, workers=args.workers if args.phase == "ray" else 1)
    plan = plan_run(cfg)
    run_dir = start_run(plan)
    startup = 0.0
    with MemorySampler() as mem:
        if args.phase == "ray":
            t0 = time.perf_counter()
            connect(RayOptions(workers=args.workers))  # timed apart; run_ray finds Ray up and leaves it to us
            startup = time.perf_counter() - t0
        try:
            t0 = time.perf_counter()
            execute(run_dir, plan, progress=True)
            wall = time.perf_counter() - t0
        finally:
            if args.phase == "ray":
                import ray

                ray.shutdown()
    Path(args.phase_json).write_text(json.dumps({"wall_s": wall, "startup_s": startup, "mem": mem.peak,
                                                 "cpu_s": mem.cpu_s, "run_dir": str(run_dir),
                                                 "processes": mem.processes()}))


def phase(args: argparse.Namespace, name: str) -> tuple[dict, list]:
    """Each runner in its own process, so neither inherits the other's memory or warm caches."""
    result = Path(args.out) / f"{name}-{args.stamp}.json"
    cmd = [sys.executable, __file__, *sys.argv[1:], "--phase", name, "--phase-json", str(result), "--out", args.out,
           "--stamp", args.stamp]
    subprocess.run(cmd, check=True)
    data = json.loads(result.read_text())
    return data, read_records(Path(data["run_dir"]))


def outcome(records: list) -> dict:
    return {r.key: (r.success, r.steps, r.error.kind if r.error else None) for r in records}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default="libero_spatial")
    p.add_argument("--policy", default="zero")
    p.add_argument("--tasks", default="0,1", help="comma-separated task ids")
    p.add_argument("--trials", type=int, default=4)
    p.add_argument("--max-steps", type=int, default=None, help="default: the protocol's")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default=None, help="parent of the two run directories (default: a temp dir)")
    p.add_argument("--json", default=None, help="also write the figures here")
    p.add_argument("--no-pin-local", action="store_true",
                   help="let the local runner use its default thread pools (Mesa llvmpipe: one thread per core)")
    p.add_argument("--phase", choices=["local", "ray"], help=argparse.SUPPRESS)
    p.add_argument("--phase-json", help=argparse.SUPPRESS)
    p.add_argument("--stamp", default=time.strftime("%Y%m%d-%H%M%S"), help=argparse.SUPPRESS)
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.phase:
        run_phase(args)
        return 0
    args.out = args.out or tempfile.mkdtemp(prefix="bench-ray-")
    before = {"load": os.getloadavg(), "available_gib": psutil.virtual_memory().available / 1024**3}
    local, local_records = phase(args, "local")
    remote, ray_records = phase(args, "ray")
    n, lw, rw, st = len(local_records), local["wall_s"], remote["wall_s"], remote["startup_s"]
    figures = {
        "bench": args.bench, "policy": args.policy, "episodes": n, "workers": args.workers,
        "max_steps": local_records[0].spec.max_steps, "cpus": os.cpu_count(), "before": before,
        "load_after": os.getloadavg(), "local_wall_s": lw, "ray_wall_s": rw, "ray_startup_s": st,
        "local_eph": 3600 * n / lw, "ray_eph": 3600 * n / rw, "ray_eph_with_startup": 3600 * n / (rw + st),
        "scaling": lw / rw, "scaling_with_startup": lw / (rw + st),
        "same_records": outcome(local_records) == outcome(ray_records),
        "ray_errors": sorted({r.error.kind for r in ray_records if r.error}),
        "local_peak_rss_mib": local["mem"]["driver"] / MiB, "ray_driver_peak_rss_mib": remote["mem"]["driver"] / MiB,
        "ray_infra_peak_rss_mib": remote["mem"]["ray_infra"] / MiB,
        "ray_infra_peak_uss_mib": remote["mem"]["ray_infra_uss"] / MiB,
        "ray_workers_peak_rss_mib": remote["mem"]["ray_workers"] / MiB,
        "local_cpu_s": local["cpu_s"]["driver"], "ray_cpu_s": remote["cpu_s"],
        "worker_env": worker_env(RayOptions(workers=args.workers)), "local_threads_pinned": PIN_LOCAL, "runs": args.out,
    }
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if figures["same_records"] else 1


def report(f: dict) -> None:
    print(f"\n{f['bench']} x {f['policy']}: {f['episodes']} episodes, max {f['max_steps']} steps, {f['cpus']} CPUs; "
          f"load average before {f['before']['load'][0]:.1f}, after {f['load_after'][0]:.1f}; "
          f"{f['before']['available_gib']:.1f} GiB memory available before")
    pinned = "render/BLAS threads pinned to 1" if f["local_threads_pinned"] else "default thread pools"
    print(f"  local runner          {f['local_eph']:8.1f} episodes/hour  ({f['local_wall_s']:.1f} s, {pinned})")
    print(f"  ray runner, {f['workers']} workers  {f['ray_eph']:8.1f} episodes/hour  ({f['ray_wall_s']:.1f} s, "
          f"{f['ray_eph_with_startup']:.1f} with start-up)")
    print(f"  scaling               {f['scaling']:8.2f}x  ({f['scaling_with_startup']:.2f}x counting Ray start-up)")
    print(f"  Ray start-up          {f['ray_startup_s']:8.1f} s")
    print(f"  peak RSS              local runner {f['local_peak_rss_mib']:.0f} MiB; Ray run: driver "
          f"{f['ray_driver_peak_rss_mib']:.0f} MiB, Ray's own processes {f['ray_infra_peak_rss_mib']:.0f} MiB "
          f"(USS {f['ray_infra_peak_uss_mib']:.0f} MiB), "
          f"workers {f['ray_workers_peak_rss_mib']:.0f} MiB")
    c = f["ray_cpu_s"]
    local_cores = f['local_cpu_s'] / f['local_wall_s']
    print(f"  CPU seconds           local runner {f['local_cpu_s']:.0f} ({local_cores:.2f} cores "
          f"on average); Ray run: workers {c['ray_workers']:.0f} ({c['ray_workers'] / f['ray_wall_s']:.2f} cores), "
          f"Ray's own processes {c['ray_infra']:.0f}, driver {c['driver']:.0f}")
    errors = f"; Ray run errors: {', '.join(f['ray_errors'])}" if f["ray_errors"] else ""
    print(f"  same records (success, steps) as the local runner: {'yes' if f['same_records'] else 'NO'}{errors}")
    print(f"  runs in {f['runs']}")


if __name__ == "__main__":
    sys.exit(main())
