"""A published row stands beside a measured run only under the same protocol (issue #27 item 2), and the paper
table's marks (†, ‡) are explained only where a cell carries them."""

from __future__ import annotations

import dataclasses
import json

from vla_harness.cli.main import main
from vla_harness.cli.resolve import start_run
from vla_harness.harness.config import RunConfig
from vla_harness.harness.store import RunStore
from vla_harness.results.synthetic import record


def _run(tmp_path, name: str, bench: str, protocol: str | None, steps: int, dims=("camera",)):
    """A run started as eval starts it (real manifest), with records that ran `steps` max steps."""
    options = ({"dimensions": ",".join(dims), "sample": 1} if bench == "libero_plus" else {}) | (
        {"protocol": protocol} if protocol else {})
    cfg = RunConfig(bench=bench, policy="zero", suites=["libero_spatial"] if bench == "libero_plus" else None,
                    tasks=[0], bench_options=options, out=str(tmp_path), name=name)
    run_dir = start_run(cfg)
    store = RunStore(run_dir)
    for i, dim in enumerate(dims):
        pert = {"dimension": dim, "level": None, "difficulty": 1, "variant_id": f"v{i}", "params": {}} \
            if bench == "libero_plus" else None
        rec = record(name, bench, "libero_spatial", 0, 0, i % 2 == 0, perturbation=pert)
        store.append(dataclasses.replace(rec, spec=dataclasses.replace(rec.spec, max_steps=steps)))
    store.close()
    return run_dir


def _row(out: str, start: str, has: str = "") -> list[str]:
    line = next(ln for ln in out.splitlines() if ln.startswith(start) and has in ln)
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_libero_plus_under_libero_marks_vla_jepa_published_row_not_comparable(tmp_path, capsys):
    run = _run(tmp_path, "plain", "libero_plus", None, 220)
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| VLA-JEPA ")[1:3] == ["published, NOT comparable", "vla-jepa"]
    assert _row(out, "| OpenVLA ")[1:3] == ["published", "libero"]
    assert _row(out, "| zero ", "measured here")[2] == "libero"
    assert "VLA-JEPA (published, protocol vla-jepa) is not comparable with zero: max steps libero_spatial 520 vs " \
           "220 (published vs measured)" in out


def test_under_the_vla_jepa_protocol_its_own_row_is_comparable_and_the_leaderboard_is_not(tmp_path, capsys):
    run = _run(tmp_path, "jepa", "libero_plus", "vla-jepa", 520)
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| VLA-JEPA ")[1] == "published" and _row(out, "| zero ", "measured here")[2] == "vla-jepa"
    assert _row(out, "| OpenVLA ")[1] == "published, NOT comparable"
    assert ("OpenVLA (published, protocol libero) is not comparable with zero: max steps libero_spatial 220 vs "
            "520") in out


def test_max_steps_override_is_what_counts_and_libero_rows_are_checked_per_suite(tmp_path, capsys):
    run = _run(tmp_path, "spatial", "libero_spatial", None, 250)  # e.g. --max-steps 250 on the libero protocol
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| VLA-JEPA ")[1] == "published"  # 250 steps on libero_spatial, as VLA-JEPA's script
    assert _row(out, "| π0 ")[1:3] == ["published, NOT comparable", "openpi"]
    assert "π0 (published, protocol openpi) is not comparable with zero: max steps libero_spatial 220 vs 250" in out


def test_derived_and_partial_marks_are_explained_only_when_a_cell_carries_them(tmp_path, capsys):
    run = _run(tmp_path, "few", "libero_plus", None, 220)  # one of 7 dimensions: the measured mean is partial
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert "‡ mean over fewer than 7 dimensions" in out and "† computed here" in out  # leaderboard rows derive a mean
    dims = ("camera", "robot_init", "language", "light", "background", "noise", "layout")
    rows = [f"libero_plus,Full,{m},50.0,a cited source,,libero" for m in (*dims, "total_variant_weighted",
                                                                          "mean_of_dimensions")]
    (tmp_path / "pub.csv").write_text("benchmark,policy,metric,success_pct,source,note,protocol\n" + "\n".join(rows))
    full = _run(tmp_path, "full", "libero_plus", None, 220, dims)
    assert main(["report", str(full), "--published", str(tmp_path / "pub.csv")]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| Full ")[1] == "published" and "†" not in out and "‡" not in out


def test_a_run_recorded_before_the_protocol_facts_is_compared_by_protocol_name(tmp_path, capsys):
    run = _run(tmp_path, "old", "libero_plus", None, 220)
    manifest = json.loads((run / "manifest.json").read_text())
    del manifest["protocol"]["report"]["paper_protocols"]  # as written before the benchmark stated them
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert _row(out, "| VLA-JEPA ")[1] == "published, NOT comparable" and _row(out, "| OpenVLA ")[1] == "published"
    assert "not comparable with zero: protocol vla-jepa vs libero" in out
