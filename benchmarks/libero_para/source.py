"""Where the shipped LIBERO-Para data comes from, and the checks that it is the official data.

`python -m benchmarks.libero_para.source CHECKOUT [COMMIT]` writes source.json from a cau-hai-lab/LIBERO-Para
checkout (its commit, the metadata's sha256, every paraphrase BDDL's sha256 folded into one digest per eval id,
the LIBERO-Goal BDDLs it builds its envs from, and its init states); `verify()` checks the shipped CSV and the
installed LIBERO against that record, rebuilding all 4,092 BDDL files. Reading .pruned_init files needs torch.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from vla_harness.benchmarks.libero_para.catalog import METADATA, SOURCE, SUITE, bddl_text, catalog, goal_tasks
from vla_harness.benchmarks.libero_pro.envgen import states_digest

REPO = "cau-hai-lab/LIBERO-Para"
PAPER = "arXiv 2603.28301"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold(digests: dict[str, str]) -> str:
    """One digest for many files: sha256 of their 'name sha256' lines, sorted by name."""
    return sha256("".join(f"{name} {digests[name]}\n" for name in sorted(digests)).encode())


def bddl_digests(texts: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    """name -> (eval id, bytes) to {"all": ..., "eval0": ..., ...}."""
    per_eval: dict[int, dict[str, str]] = {}
    for name, (eval_id, data) in texts.items():
        per_eval.setdefault(eval_id, {})[name] = sha256(data)
    out = {f"eval{k}": fold(v) for k, v in sorted(per_eval.items())}
    return {"all": fold({n: d for v in per_eval.values() for n, d in v.items()}), **out}


def record(checkout: Path, commit: str | None = None) -> dict:
    import torch

    root = checkout / "libero" / "libero"
    para = {p.name: (p.eval_id, (root / "bddl_files" / "libero_para" / f"{p.name}.bddl").read_bytes())
            for p in catalog()}
    init = {}
    for k, task in enumerate(goal_tasks()[1]):
        states = np.asarray(torch.load(root / "init_files" / "libero_para" / f"eval{k}.pruned_init",
                                       weights_only=False), dtype=np.float64)
        init[task] = states_digest(states)
    if commit is None:  # an unpacked archive names its commit on the command line
        commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or "unknown"
    data = (checkout / "metrics" / "libero_para_metadata.csv").read_bytes()
    return {"repo": REPO, "commit": commit, "paper": PAPER,
            "license": "MIT (LICENSE beside this file, the repository's own)",
            "metadata": {"path": "metrics/libero_para_metadata.csv", "sha256": sha256(data), "bytes": len(data)},
            "paraphrase_bddl": {"path": "libero/libero/bddl_files/libero_para", "files": len(para),
                                "digests": bddl_digests(para)},
            "goal_bddl": {t: sha256((root / "bddl_files" / SUITE / f"{t}.bddl").read_bytes())
                          for t in goal_tasks()[1]},
            "init_states": {"path": "libero/libero/init_files/libero_para/eval<k>.pruned_init",
                            "states_sha256": init}}


def verify() -> list[str]:
    """What differs between the shipped/installed data and the official record ([] when nothing)."""
    from libero.libero import get_libero_path

    from vla_harness.benchmarks.libero.bench import init_states

    src = json.loads(SOURCE.read_text())
    problems = []
    if sha256(METADATA.read_bytes()) != src["metadata"]["sha256"]:
        problems.append("the shipped metadata CSV is not the official one")
    order = goal_tasks()[0]
    for task, digest in src["goal_bddl"].items():
        if sha256((Path(get_libero_path("bddl_files")) / SUITE / f"{task}.bddl").read_bytes()) != digest:
            problems.append(f"installed LIBERO-Goal BDDL {task} differs from LIBERO-Para's")
        if states_digest(np.asarray(init_states(SUITE, order.index(task)), dtype=np.float64)) != \
                src["init_states"]["states_sha256"][task]:
            problems.append(f"installed LIBERO-Goal init states of {task} differ from LIBERO-Para's")
    rebuilt = bddl_digests({p.name: (p.eval_id, bddl_text(p).encode()) for p in catalog()})
    problems += [f"rebuilt paraphrase BDDLs ({k}) differ from the official files"
                 for k, v in src["paraphrase_bddl"]["digests"].items() if rebuilt.get(k) != v]
    return problems


if __name__ == "__main__":
    if len(sys.argv) in (2, 3):
        SOURCE.write_text(json.dumps(record(Path(sys.argv[1]), *sys.argv[2:]), indent=1) + "\n")
    else:
        print("\n".join(verify()) or "LIBERO-Para data: the official metadata, BDDLs and init states")
