"""Paired drops from the base task, weighted rates, declared paper tables and the cross-family robustness table, on
synthetic runs written through the real store (LIBERO-PRO / LIBERO-Para / LIBERO-Plus facts from the real benchmarks).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from vla_harness.cli.main import main
from vla_harness.results.drop import design_effect, drop, weighted_rate
from vla_harness.results.load import load_columns
from vla_harness.results.paper import read_published
from vla_harness.results.report import build_tables, render
from vla_harness.results.stats import PairedCounts, newcombe_paired
from vla_harness.results.synthetic import record, write_run
from vla_harness.results.tables import Estimate, _csv_value, compact, parts, to_csv
from vla_harness.results.view.site import ViewOptions, build_site

BASE = {"dimension": "none", "variant_id": "original"}


def _pro_run(tmp_path, name="pro", policy="policyA"):
    """libero_spatial tasks 0-1, init states 0-1: base all succeed; object keeps 3 of 4; position loses all."""
    recs = []
    for t in range(2):
        for i in range(2):
            recs.append(record(name, "libero_pro", "libero_spatial", t, i, True, perturbation=BASE))
            recs.append(record(name, "libero_pro", "libero_spatial", t, i, (t, i) != (1, 1),
                               perturbation={"dimension": "object", "variant_id": "object"}))
            recs.append(record(name, "libero_pro", "libero_spatial", t, i, False,
                               perturbation={"dimension": "position", "variant_id": "position"}))
    recs.append(record(name, "libero_pro", "libero_spatial", 1, 1, None, error="env_error",
                       perturbation={"dimension": "environment", "variant_id": "environment"}))
    return write_run(tmp_path, name, recs, bench="libero_pro", policy=policy)


def _para_run(tmp_path, name="para", policy="policyA"):
    """Two tasks; every paraphrase of a task shares its one base episode."""
    recs = [record(name, "libero_para", "libero_goal", t, 0, t == 0,
                   perturbation={**BASE, "params": {"object": "none", "action": "none"}}) for t in range(2)]
    cells = [("object", "same_polarity_habitual", "none", 0.4, True), ("action", "none", "hint", 0.1, True),
             ("action", "none", "coordination", 0.3, False), ("compositional", "addition_deletion", "hint", 0.2, True)]
    for t in range(2):
        for k, (dim, obj, act, pd, ok) in enumerate(cells):
            recs.append(record(name, "libero_para", "libero_goal", t, 0, ok and t == 0, perturbation={
                "dimension": dim, "variant_id": f"p{t}{k}", "params": {"object": obj, "action": act, "pd": pd}}))
    return write_run(tmp_path, name, recs, bench="libero_para", policy=policy)


def _libero_and_plus(tmp_path, policy="policyA"):
    lib = write_run(tmp_path, "lib", [record("lib", "libero_spatial", "libero_spatial", t, 0, True) for t in range(2)],
                    bench="libero_spatial", policy=policy)
    plus = write_run(tmp_path, "plus", [record("plus", "libero_plus", "libero_spatial", t, 0, t == 0, perturbation={
        "dimension": "camera", "difficulty": 2, "variant_id": f"v{t}{k}"}) for t in range(2) for k in range(2)],
        bench="libero_plus", policy=policy)
    return lib, plus


def _row(text, label):
    line = next(ln for ln in text.splitlines() if ln.startswith(f"| {label}"))
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_unshared_pairs_are_newcombe_paired_and_shared_bases_widen_it():
    pairs = [(True, False, ("s", t, 0)) for t in range(3)] + [(True, True, ("s", t, 1)) for t in range(5)]
    d = drop(pairs)
    lo, hi = newcombe_paired(PairedCounts(5, 3, 0, 0))
    assert (d.value, d.n, d.lo, d.hi) == (pytest.approx(-3 / 8), 8, pytest.approx(lo), pytest.approx(hi))
    assert design_effect(pairs) == 1.0
    shared = [(True, False, ("s", 0, 0))] * 4 + [(True, True, ("s", 1, 0))] * 4  # 2 bases, 4 perturbed each
    wide, narrow = drop(shared), newcombe_paired(PairedCounts(4, 4, 0, 0))
    assert design_effect(shared) == pytest.approx(4.0)  # clusters perfectly correlated: deff = cluster size
    assert wide.value == pytest.approx(-0.5) and wide.hi - wide.value == pytest.approx(2 * (narrow[1] + 0.5))
    assert drop([]).n == 0


def test_weighted_rate_by_hand(tmp_path):
    recs = load_columns([_para_run(tmp_path)])[0].records
    w = weighted_rate([r for r in recs if r.spec.perturbation.dimension != "none"], "pd")
    assert w.n == 8 and w.value == pytest.approx((0.4 + 0.1 + 0.2) / (2 * (0.4 + 0.1 + 0.3 + 0.2)))


def test_drop_table_eval_summary_and_paper_tables_by_hand(tmp_path, capsys):
    pro, para = _pro_run(tmp_path), _para_run(tmp_path)
    assert main(["report", str(pro), str(para)]) == 0
    out = capsys.readouterr().out
    drops = out[out.index("### Robustness (libero_pro): drop"):]
    assert _row(drops, "object")[1:] == ["75.0% [30.1, 95.4] n=4", "100.0% [51.0, 100.0] n=4",
                                         _row(drops, "object")[3]] and _row(drops, "object")[3].startswith("-25.0% [")
    assert _row(drops, "position")[3].startswith("-100.0% [-100.0, -")
    para_drop = out[out.index("### Robustness (libero_para): drop"):]
    assert _row(para_drop, "PRIDE")[1].startswith("35.0% weighted by pd n=8")
    assert _row(para_drop, "all perturbed")[2] == "50.0% [9.5, 90.5] n=2"  # the 2 distinct base episodes
    grid = out[out.index("### Robustness (libero_para, policyA): object"):]
    assert _row(grid, "none")[1] == "50.0% [9.5, 90.5] n=2"  # the base episodes sit at none x none
    paper = out[out.index("### LIBERO-PRO: success rate"):]
    assert _row(paper, "OpenVLA")[1:5] == ["published", "-", "96.0%", "0.0%"]
    assert "2b910b5" in _row(paper, "OpenVLA")[-1]
    assert _row(paper, "policyA")[8:10] == ["75.0% [30.1, 95.4]", "0.0% [0.0, 49.0]"]  # Spatial Obj, Pos
    para_paper = out[out.index("### LIBERO-Para: success rate"):]
    assert _row(para_paper, "VLA-Adapter")[3:7] == ["98.2%", "46.3%", "-51.9%", "36.1%"]
    assert _row(para_paper, "policyA")[3:5] == ["50.0% [9.5, 90.5]", "37.5% [13.7, 69.4]"]


def test_one_robustness_table_across_families_with_each_protocol_under_it(tmp_path):
    lib, plus = _libero_and_plus(tmp_path)
    tables = {t.name: t for t in build_tables(load_columns([lib, plus, _pro_run(tmp_path)]))}
    across = tables["robustness_families"]
    labels = [tuple(r.labels) for r in across.rows]
    assert labels[0] == ("LIBERO", "(clean suites)") and ("LIBERO-Plus", "camera") in labels
    assert ("LIBERO-PRO", "(unperturbed)") in labels and ("LIBERO-PRO", "position") in labels
    text = render([across], "md")
    assert _row(text, "LIBERO-Plus | camera")[3].startswith("-50.0% [")  # paired with the clean LIBERO run
    for fam in ("LIBERO", "LIBERO-Plus", "LIBERO-PRO"):
        assert f"Protocol ({fam}): synthetic test protocol" in text
    rows = list(csv.reader(io.StringIO(to_csv(across))))
    assert rows[0][:3] == ["family", "dimension", "policyA:successes"]


def test_estimates_render_everywhere_and_the_viewer_shows_the_new_axes(tmp_path):
    assert parts(Estimate(-0.25, 4, -0.6, 0.1)) == ("-25.0%", "[-60.0, 10.0]", "4", "", "")
    assert compact(Estimate(0.35, 8, how="weighted by pd")) == "35.0% weighted by pd n=8"
    assert _csv_value(Estimate(-0.25, 4, -0.6, 0.1)) == ["", 4, "", "", "", -0.25, -0.6, 0.1]
    page = build_site([_pro_run(tmp_path)], tmp_path / "view", ViewOptions(plots=False))
    text = (page.parent / "data.js").read_text()
    data = json.loads(text[len("window.VIEW_DATA = "):].rstrip().rstrip(";"))
    assert {"object", "position", "environment", "none"} <= set(data["episodes"]["cols"]["dimension"]["d"])
    table = next(t for t in data["tables"] if t["name"] == "robustness_libero_pro_drop")
    drop_cell = table["rows"][0]["values"][2]
    assert drop_cell["s"] == "-25.0%" and drop_cell["ci"].startswith("[") and drop_cell["r"] is None


def test_published_libero_pro_and_para_rows_are_cited_and_consistent():
    rows = read_published()
    pro, para = {}, {}
    for r in rows:
        if r.benchmark == "libero_pro":
            pro.setdefault(r.policy, {})[r.metric] = r.value
        if r.benchmark == "libero_para":
            para.setdefault(r.policy, {})[r.metric] = r.value
    assert set(pro) == {"OpenVLA", "π0", "π0.5", "MolmoAct", "NORA", "X-VLA"}
    for policy, m in pro.items():  # the leaderboard's Total is the mean of the cells it publishes
        cells = [v for k, v in m.items() if k != "total"]
        assert len(cells) in (16, 20) and abs(sum(cells) / len(cells) - m["total"]) < (0.9 if policy == "NORA" else 0.5)
    assert len(para) == 7
    for policy, m in para.items():
        assert m["drop"] == pytest.approx(m["libero_para"] - m["libero_goal"], abs=0.051), policy
        assert m["pride"] < m["libero_para"]
