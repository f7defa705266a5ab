"""Ray runner: the same run spread over warm worker actors, on one machine or a cluster.

One actor per CPU wraps an EpisodeWorker (one policy, one warm env per task); the scheduler in ray_scheduler.py
decides who runs what. Only the driver writes the run store; workers return small records and write their own
videos into the run directory, so frames never travel through Ray.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from dataclasses import dataclass
from typing import Any, Callable

from vla_harness.harness.config import ConfigError
from vla_harness.harness.runners.ray_capacity import CapacityWatch, note_capacity
from vla_harness.harness.runners.ray_leftovers import clean_leftovers, mark_session
from vla_harness.harness.runners.ray_queue import WorkItem, WorkQueue
from vla_harness.harness.runners.ray_scheduler import RayScheduler
from vla_harness.harness.types import EpisodeRecord, EpisodeSpec
from vla_harness.harness.worker import EpisodeWorker, RunJob

OBJECT_STORE_BYTES = 256 * 1024**2  # records are a few KB; the store only needs to exist
# Software rendering (Mesa llvmpipe), BLAS and torch each start a thread per core by default: N workers on N cores
# would then fight over N² threads. One thread each, unless the user says otherwise.
THREAD_VARS = ("LP_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
# Ray starts one idle Python worker per CPU for plain tasks; our actors never use them (~80 MiB and a CPU-second each).
NO_PRESTART = {"prestart_worker_first_driver": False, "enable_worker_prestart": False}
PASSED_VARS = ("MUJOCO_GL", "PYOPENGL_PLATFORM", "MUJOCO_EGL_DEVICE_ID")  # the driver's rendering choice, on every node


@dataclass(frozen=True)
class RayOptions:
    workers: int = 1
    address: str | None = None  # None: RAY_ADDRESS if set, else a fresh local instance
    episode_timeout_s: float = 1800.0
    max_attempts: int = 2
    threads_per_worker: int = 1
    resource: str | None = None  # custom resource each worker needs; None: VLA_RAY_RESOURCE or sim_<bench> if present
    start_timeout_s: float = 600.0  # no worker up after this long (cluster full or gone): stop, resume later


class RayEpisodeActor:
    """Body of each Ray worker actor: built once, keeps its policy and warm env across episodes."""

    def __init__(self, job: RunJob, index: int) -> None:
        self.worker, self.error = None, None
        try:
            self.worker = EpisodeWorker(job, worker_id=f"ray{index}:{socket.gethostname()}@{_node_id()}:{os.getpid()}")
        except Exception as exc:  # noqa: BLE001 - ready() hands it to the driver, which raises it like the local runner
            self.error = exc

    def ready(self) -> str:
        if self.error is not None:
            raise self.error
        return self.worker.worker_id

    def run(self, spec: EpisodeSpec, attempt: int) -> EpisodeRecord:
        try:
            return self.worker.run(spec, attempt)
        except BaseException:
            self.worker.close_env()  # never reuse an env in an unknown state
            raise

    def close(self) -> None:
        self.worker.close()


def _node_id() -> str:
    """The Ray node this worker runs on (first 12 hex digits of its id), so each record says where it ran."""
    import ray

    return ray.get_runtime_context().get_node_id()[:12]


def cluster_address(opts: RayOptions) -> str | None:
    return opts.address or os.environ.get("RAY_ADDRESS") or None


def connect(opts: RayOptions) -> bool:
    """Start a local Ray sized to `workers` CPUs, or join a cluster. True when this call started/joined Ray."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    quiet = dict(include_dashboard=False, logging_level=logging.WARNING,
                 log_to_driver=os.environ.get("VLA_RAY_LOG_TO_DRIVER", "0") == "1")
    address = cluster_address(opts)
    # Ray 2.5x turns token auth on for local clusters and says so at WARNING on every start: keep it, hush the note.
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    try:
        if address:
            check_reachable(address)
            ray.init(address=address, **quiet)
        else:  # "local": never attach to some other Ray instance found on this machine
            ray.init(address="local", num_cpus=opts.workers, object_store_memory=OBJECT_STORE_BYTES,
                     _system_config=NO_PRESTART, **quiet)
            tidy_local_ray()
    except ConnectionError as exc:
        raise ConfigError(f"cannot join the Ray cluster at '{address}' ({exc}); start it with `ray start --head` "
                          "or drop --ray-address/RAY_ADDRESS to run locally") from exc
    return True


def tidy_local_ray() -> None:
    """Mark the local Ray just started as ours, and end what a local Ray of a killed earlier run left (its agents stay
    60 s otherwise: harness/runners/ray_leftovers.py)."""
    from ray._private import worker as ray_worker  # the running node's folders; private, hence guarded

    node = getattr(ray_worker, "_global_node", None)
    if node is None:
        return
    mark_session(node.get_session_dir_path())
    killed = clean_leftovers(node.get_temp_dir_path())
    if killed:
        print(f"note: ended {len(killed)} process(es) left by the local Ray of an earlier run that was killed "
              f"(PIDs {', '.join(map(str, killed))})", file=sys.stderr)


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Ray retries an unreachable host:port for minutes with a warning every few seconds: fail fast instead."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or address, int(port) if port.isdigit() else 6379), timeout=timeout_s).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers at {address}: {exc}") from exc


def worker_env(opts: RayOptions) -> dict[str, str]:
    env = {name: os.environ.get(name, str(opts.threads_per_worker)) for name in THREAD_VARS}
    env.update({name: os.environ[name] for name in PASSED_VARS if name in os.environ})
    return env


def worker_resource(opts: RayOptions, bench: str) -> str | None:
    """The custom resource that marks simulator nodes (e.g. sim_libero), when the cluster has one."""
    import ray

    wanted = opts.resource or os.environ.get("VLA_RAY_RESOURCE")
    available = ray.cluster_resources()
    if wanted:
        if wanted not in available:
            raise ConfigError(f"no Ray node offers resource '{wanted}'; cluster has: {', '.join(sorted(available))}")
        return wanted
    for name in (f"sim_{bench}", f"sim_{bench.split('_')[0]}"):
        if name in available:
            return name
    return None


def actor_factory(job: RunJob, opts: RayOptions, resource: str | None) -> Callable[[int], Any]:
    import ray

    remote_cls = ray.remote(RayEpisodeActor).options(
        num_cpus=1, resources={resource: 1} if resource else None, max_restarts=-1, max_task_retries=0,
        runtime_env={"env_vars": worker_env(opts)})
    return lambda index: remote_cls.remote(job, index)


def run_ray(job: RunJob, work: list[WorkItem], on_record: Callable[[EpisodeRecord], None], opts: RayOptions,
            env_key: Callable[[EpisodeSpec], str]) -> None:
    """Run `work` on Ray workers; `on_record` (driver side) gets every episode's final record exactly once.
    `env_key` (the plan's) groups episodes that can share a warm env."""
    if not work:
        return
    import ray

    queue = WorkQueue(work, env_key, opts.max_attempts)
    started = connect(opts)
    scheduler = None
    try:
        workers, resource = min(opts.workers, len(work)), worker_resource(opts, job.bench)
        note_capacity(workers, resource, opts.start_timeout_s)
        scheduler = RayScheduler(job.run_id, queue, on_record, actor_factory(job, opts, resource), workers,
                                 opts.episode_timeout_s, CapacityWatch(resource, opts.start_timeout_s))
        scheduler.run()
    finally:
        if scheduler is not None:
            scheduler.close()
        if started:
            ray.shutdown()
