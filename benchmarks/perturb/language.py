"""Language: synonyms, paraphrase templates and irrelevant clauses; deterministic per seed.

Level 1: one word or phrase replaced by a synonym. Level 2: every replaceable one. Level 3: plus a paraphrase
template around the instruction. Level 4: plus one irrelevant clause. Level 5: plus two. The objects, relations and
goal named by the instruction stay the same, and the task's success condition never looks at the instruction.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from vla_harness.benchmarks.perturb.base import Dimension

SYNONYMS: dict[str, tuple[str, ...]] = {
    "pick up": ("grab", "lift", "take"),
    "place": ("put", "set", "leave"),
    "put": ("place", "set", "move"),
    "turn on": ("switch on", "start"),
    "turn off": ("switch off", "shut off"),
    "open": ("pull open", "slide open"),
    "close": ("shut", "push closed"),
    "push": ("shove", "slide"),
    "next to": ("beside", "alongside"),
    "between": ("in between", "in the middle of"),
    "on top of": ("atop", "onto the top of"),
    "black": ("dark",),
    "cabinet": ("cupboard",),
    "stove": ("cooktop", "burner"),
    "basket": ("wicker basket",),
    "mug": ("cup",),
    "both": ("both of",),
}
TEMPLATES = ("please {}", "could you {}?", "your task: {}.", "robot, {} now", "i need you to {}",
             "go ahead and {}")
CLAUSES = ("while the music is playing", "and do not worry about the weather", "before the coffee gets cold",
           "as the clock on the wall ticks", "even though it is tuesday", "while someone talks in the next room",
           "and then take a short rest", "as carefully as a librarian would")


class LanguageDimension(Dimension):
    name = "language"
    units = "edits: synonyms (1: one, 2+: all), template (3+), irrelevant clauses (4: one, 5: two)"

    def draw(self, level: int, rng: np.random.Generator, options: dict[str, Any], seed: int) -> dict[str, Any]:
        order = [int(i) for i in rng.permutation(len(SYNONYMS))]
        picks = [int(i) for i in rng.integers(0, 1000, size=len(SYNONYMS))]
        return {"level": level, "order": order, "picks": picks, "template": int(rng.integers(len(TEMPLATES))),
                "clauses": [int(i) for i in rng.choice(len(CLAUSES), size=2, replace=False)]}

    def instruction(self, text: str, params: dict[str, Any]) -> str:
        level, out = params["level"], text
        phrases = list(SYNONYMS)
        present = [i for i in params["order"] if _find(out, phrases[i])]
        chosen = present[: 1 if level == 1 else len(present)]
        if chosen:  # one pass, so a replacement is never replaced again
            swap = {phrases[i]: SYNONYMS[phrases[i]][params["picks"][i] % len(SYNONYMS[phrases[i]])] for i in chosen}
            alternatives = "|".join(re.escape(p) for p in sorted(swap, key=len, reverse=True))
            out = re.sub(rf"\b({alternatives})\b", lambda m: swap[m.group(1).lower()], out, flags=re.IGNORECASE)
        if level >= 3:
            out = TEMPLATES[params["template"]].format(out)
        for clause in params["clauses"][: max(0, level - 3)]:
            out = _add_clause(out, CLAUSES[clause])
        return out


def _find(text: str, phrase: str):
    pattern = re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)
    return pattern if pattern.search(text) else None


def _add_clause(text: str, clause: str) -> str:
    end = re.search(r"[?.]$", text)
    return f"{text[:-1]} {clause}{text[-1]}" if end else f"{text} {clause}"
