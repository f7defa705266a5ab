"""One table model, three renderings: Markdown/terminal (tabulate), LaTeX (booktabs), CSV (raw numbers)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Union

from tabulate import tabulate

from vla_harness.results.aggregate import Cell

WIDE_PARTS = ("success", "95% CI", "n", "policy faults", "errors")
CSV_PARTS = ("successes", "n", "policy_faults", "errors", "skipped", "rate", "ci_low", "ci_high")
FLAG = "!"  # after a success rate: more than ERROR_SHARE_FLAG of the cell's episodes ended in an error


@dataclass(frozen=True)
class Pct:
    """A number copied from a publication (percent): it has no interval and no episode count here."""

    value: float | None
    mark: str = ""


@dataclass(frozen=True)
class Mean:
    """An unweighted mean of group success rates (e.g. of LIBERO-Plus dimensions): no single binomial interval."""

    rate: float
    n: int
    errors: int
    parts: int
    policy_faults: int = 0


@dataclass(frozen=True)
class Estimate:
    """A number measured here that is not one binomial rate: a paired drop (with its interval) or a weighted success
    rate (PRIDE). `value`, `lo`, `hi` are fractions (a drop is negative); `how` says what it is when there is no
    interval; `n` counts the episodes (pairs) behind it."""

    value: float
    n: int
    lo: float | None = None
    hi: float | None = None
    how: str = ""


Value = Union[Cell, Pct, Mean, Estimate, str, None]


@dataclass
class Row:
    labels: list[str]
    values: list[Value]
    tail: list[str] = field(default_factory=list)
    rule: bool = False  # a rule above this row (totals)


@dataclass
class Table:
    name: str  # file-name slug
    title: str
    index: list[str]  # headers of the leading label columns
    columns: list[str]  # value columns: policies, levels, suites
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    wide: bool = True  # wide: every value spreads over success / CI / n / errors; else one compact cell
    tail: list[str] = field(default_factory=list)  # headers of trailing label columns (e.g. source)
    compact_n: bool = True  # compact cells also show n (paper tables leave it to a label column)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis: never mid-word."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    at = max(head.rfind(" "), head.rfind("_"))  # a LIBERO task name joins its words with _
    return (head[:at].rstrip(" _,;:") if at > 0 else head) + "…"


def slug(text: str) -> str:
    """A file name part without spaces or parentheses (they break Markdown links): letters, digits, _ . -."""
    out = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)
    return "_".join(part for part in out.split("_") if part)


def pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}"


def parts(v: Value) -> tuple[str, str, str, str, str]:
    """success %, 95% CI, n, policy faults (failures, within n), errors (env/infra, outside n) as text."""
    if isinstance(v, Cell):
        flag = FLAG if v.flagged else ""
        if v.n == 0:  # a group whose episodes were all skipped says so: it was not run, not failed
            return (("skipped" if v.skipped and not v.errors else "no episodes") + flag, "-", "0", "0", str(v.errors))
        lo, hi = v.ci
        return (pct(v.rate) + "%" + flag, f"[{pct(lo)}, {pct(hi)}]", str(v.n), str(v.policy_faults), str(v.errors))
    if isinstance(v, Mean):
        return (pct(v.rate) + "%" if v.n else "no episodes", f"mean of {v.parts}", str(v.n), str(v.policy_faults),
                str(v.errors))
    if isinstance(v, Pct):
        return ("-" if v.value is None else f"{v.value:.1f}%{v.mark}", "-", "-", "-", "-")
    if isinstance(v, Estimate):
        ci = f"[{pct(v.lo)}, {pct(v.hi)}]" if v.lo is not None and v.hi is not None else v.how
        return (pct(v.value) + "%" if v.n else "no episodes", ci, str(v.n), "", "")
    return ("-" if v is None else str(v), "", "", "", "")


def flagged(t: Table) -> bool:
    return any(isinstance(v, Cell) and v.flagged for row in t.rows for v in row.values)


def compact(v: Value, with_n: bool = True) -> str:
    success, ci, n, faults, err = parts(v)
    if isinstance(v, Cell) and v.n:
        return (f"{success} {ci}" + (f" n={n}" if with_n else "") + (f" faults={faults}" if v.policy_faults else "")
                + (f" err={err}" if v.errors else ""))
    if isinstance(v, Mean) and v.n:
        return f"{success} ({ci})"
    if isinstance(v, Estimate) and v.n:
        return f"{success} {ci}" + (f" n={n}" if with_n else "")
    return success


def _headers(t: Table) -> list[str]:
    if not t.wide:
        return [*t.index, *t.columns, *t.tail]
    if len(t.columns) == 1:
        return [*t.index, *WIDE_PARTS, *t.tail]
    return [*t.index, *(f"{c} {p}" if p != "success" else c for c in t.columns for p in WIDE_PARTS), *t.tail]


def _cells(t: Table, row: Row) -> list[str]:
    values = [p for v in row.values for p in parts(v)] if t.wide else [compact(v, t.compact_n) for v in row.values]
    return [*row.labels, *values, *row.tail]


def to_text(t: Table, fmt: str = "github") -> str:
    """Markdown (github) or any other tabulate format, title and notes included."""
    body = tabulate([_cells(t, r) for r in t.rows], headers=_headers(t), tablefmt=fmt, disable_numparse=True)
    notes = "".join(f"\n_{n}_\n" if fmt == "github" else f"\n{n}" for n in t.notes)
    title = f"### {t.title}" if fmt == "github" else t.title
    return f"{title}\n\n{body}\n{notes}"


def to_csv(t: Table) -> str:
    """Raw numbers: every value column spreads over successes, n, policy_faults, errors, skipped, rate, ci_low,
    ci_high."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*t.index, *(f"{c}:{p}" for c in t.columns for p in CSV_PARTS), *t.tail])
    for row in t.rows:
        w.writerow([*row.labels, *(x for v in row.values for x in _csv_value(v)), *row.tail])
    return buf.getvalue()


def _csv_value(v: Value) -> list:
    if isinstance(v, Cell):
        lo, hi = v.ci
        return [v.successes, v.n, v.policy_faults, v.errors, v.skipped, _num(v.rate), _num(lo), _num(hi)]
    if isinstance(v, Mean):
        return ["", v.n, v.policy_faults, v.errors, "", _num(v.rate), "", ""]
    if isinstance(v, Pct):
        rate = "" if v.value is None else f"{round(v.value / 100, 6)}{v.mark}"  # a mark (derived) stays visible
        return ["", "", "", "", "", rate, "", ""]
    if isinstance(v, Estimate):
        bounds = ["" if x is None else _num(x) for x in (v.lo, v.hi)]
        return ["", v.n, "", "", "", _num(v.value), *bounds]
    return ["", "", "", "", "", "" if v is None else v, "", ""]


def _num(x: float) -> str | float:
    return "" if math.isnan(x) else round(x, 6)


LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "×": r"$\times$", "π": r"$\pi$", "†": r"$^\dagger$", "‡": r"$^\ddagger$", "—": "---", "–": "--"}


def tex(text: str) -> str:
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in str(text))


def _tex_row(cells: list[str]) -> str:
    return " & ".join(cells) + r" \\"


def to_latex(t: Table) -> str:
    """A booktabs table float (needs \\usepackage{booktabs,graphicx}); wide tables get one header group per column."""
    n_idx, n_tail = len(t.index), len(t.tail)
    per = len(WIDE_PARTS) if t.wide else 1
    spec = "l" * n_idx + "r" * (per * len(t.columns)) + "l" * n_tail
    lines = [r"\begin{table}[ht]", r"\centering\footnotesize", rf"\caption{{{tex(t.title)}}}",
             r"\resizebox{\linewidth}{!}{%", rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    if t.wide and len(t.columns) > 1:
        groups = [rf"\multicolumn{{{per}}}{{c}}{{{tex(c)}}}" for c in t.columns]
        lines.append(_tex_row([""] * n_idx + groups + [""] * n_tail))
        lines.append("".join(rf"\cmidrule(lr){{{n_idx + 1 + i * per}-{n_idx + (i + 1) * per}}}"
                             for i in range(len(t.columns))))
        heads = [*t.index, *(list(WIDE_PARTS) * len(t.columns)), *t.tail]
    else:
        heads = _headers(t)
    lines += [_tex_row([tex(h) for h in heads]), r"\midrule"]
    for row in t.rows:
        if row.rule:
            lines.append(r"\midrule")
        lines.append(_tex_row([tex(c) for c in _cells(t, row)]))
    lines += [r"\bottomrule", r"\end{tabular}}"]
    lines += [rf"\par\smallskip\parbox{{\linewidth}}{{\scriptsize {tex(n)}}}" for n in t.notes]
    lines.append(r"\end{table}")
    return "\n".join(lines)


def latex_document(tables: list[Table], figures: list[str] = (), title: str = "vla-harness report") -> str:
    """A complete document (article + booktabs + graphicx) that compiles with pdflatex as it is."""
    head = [r"\documentclass{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage[margin=2cm]{geometry}",
            r"\usepackage{booktabs}", r"\usepackage{graphicx}", r"\begin{document}", rf"\section*{{{tex(title)}}}"]
    floats = [to_latex(t) for t in tables]
    floats += [rf"\begin{{figure}}[ht]\centering\includegraphics[width=\linewidth]{{{f}}}\end{{figure}}"
               for f in figures]
    body = [f + ("\n\\clearpage" if i % 6 == 5 else "") for i, f in enumerate(floats)]  # LaTeX holds few floats
    return "\n\n".join([*head, *body, r"\end{document}"]) + "\n"
