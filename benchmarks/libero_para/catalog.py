"""The 4,092 LIBERO-Para paraphrases, read from the official metadata shipped beside this file.

cau-hai-lab/LIBERO-Para (MIT; LICENSE here) ships one BDDL file per paraphrase, each its LIBERO-Goal task's BDDL with
only the `(:language ...)` line replaced, and `metrics/libero_para_metadata.csv` (one row per paraphrase: taxonomy,
eval id, new and original instruction, structural and keyword similarity). The CSV is shipped verbatim; the BDDL
files are rebuilt from LIBERO-Goal's BDDL and the CSV (`bddl_text`), byte for byte: source.json holds their official
digests and tests/test_libero_para.py checks every one. The official eval scripts build their envs from the
LIBERO-Goal BDDL files (sorted by file name: eval id k is the k-th) and read only the instruction from a paraphrase's
BDDL, with init state 0 of `evalK.pruned_init` (= LIBERO-Goal's init states of that task, bit for bit).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
METADATA = HERE / "libero_para_metadata.csv"
SOURCE = HERE / "source.json"
SUITE = "libero_goal"
AXES = ("object", "action", "compositional")  # the paper's two axes, and both at once
HIGH = {"obj": "object", "act": "action", "comp": "compositional"}
NONE = "none"  # an axis the paraphrase leaves as it is
OBJECT_TYPES = (NONE, "addition_deletion", "same_polarity_contextual", "same_polarity_habitual")
ACTION_TYPES = (NONE, "addition_deletion", "same_polarity_contextual", "same_polarity_habitual", "coordination",
                "subordination", "embedded_imperative", "need_statement", "permission_directive",
                "question_directive", "hint")  # lexical (3), structural (2), pragmatic (5)
ALPHA = 0.5  # PRIDE's default weight of keyword vs structural similarity (metrics/README.md)


@dataclass(frozen=True)
class Paraphrase:
    index: int  # row of the official metadata
    name: str  # the official BDDL file name without .bddl
    dimension: str  # object, action or compositional
    eval_id: int  # the official eval id: position of its task among LIBERO-Goal's BDDL files sorted by name
    task_id: int  # that task in LIBERO's own libero_goal order
    task_name: str
    instruction: str
    original: str
    object_type: str
    action_type: str
    category: str  # the official mid level: lexical / structural / pragmatical (joined with + when compositional)
    sk: float  # keyword similarity to the original
    st: float  # structural similarity to the original
    suite: str = SUITE

    @property
    def variant_id(self) -> str:
        return f"p{self.index:04d}"

    def pd(self, alpha: float = ALPHA) -> float:
        """Paraphrase distance: 1 - (alpha S_K + (1 - alpha) S_T) (the paper's PRIDE weight)."""
        return 1.0 - (alpha * self.sk + (1.0 - alpha) * self.st)


def _types(high: str, low: str) -> tuple[str, str]:
    if high == "obj":
        return low, NONE
    if high == "act":
        return NONE, low
    obj, _, act = low.partition("+")
    return obj, act


@lru_cache(maxsize=None)
def goal_tasks() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(LIBERO's libero_goal task names in its order, the same names sorted as the official scripts list them)."""
    from vla_harness.benchmarks.libero.bench import _suite

    names = tuple(t.name for t in _suite(SUITE).tasks)
    return names, tuple(sorted(names))


@lru_cache(maxsize=None)
def catalog() -> tuple[Paraphrase, ...]:
    order, by_eval = goal_tasks()
    out = []
    with METADATA.open(newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f)):
            eval_id = int(r["eval"])
            obj, act = _types(r["high"], r["low"])
            out.append(Paraphrase(i, f"{r['high']}_{r['mid']}_{r['low']}_eval{eval_id}_ver{r['batch_idx']}",
                                  HIGH[r["high"]], eval_id, order.index(by_eval[eval_id]), by_eval[eval_id],
                                  r["new_instruction"], r["original_instruction"], obj, act, r["mid"],
                                  float(r["keyword_similarity"]), float(r["structural_similarity"])))
    return tuple(out)


def bddl_text(p: Paraphrase) -> str:
    """The official BDDL file of a paraphrase, rebuilt: its LIBERO-Goal task's BDDL, language line replaced."""
    from libero.libero import get_libero_path

    lines = (Path(get_libero_path("bddl_files")) / SUITE / f"{p.task_name}.bddl").read_text().split("\n")
    lines[2] = f"  (:language {p.instruction})"
    return "\n".join(lines)


@lru_cache(maxsize=1)
def source() -> dict:
    return json.loads(SOURCE.read_text())
