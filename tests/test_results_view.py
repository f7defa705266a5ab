"""`vla-harness view`: the data the page is built from (data.js), checked against `report` and `compare` themselves."""

from __future__ import annotations

import json
import re
import threading
import urllib.request

import numpy as np
import pytest

from vla_harness.cli.main import main
from vla_harness.results.synthetic import libero_plus_records, record, write_run
from vla_harness.results.view.episodes import text_column
from vla_harness.results.view.serve import make_server
from vla_harness.results.view.site import ViewOptions, build_site


def _fake_run(tmp_path, name="a"):
    recs = [record(name, "fake", "reach", 0, t, ok) for t, ok in enumerate([True, True, True, False])]
    recs += [
        record(name, "fake", "reach", 1, 0, None, error="policy_error"),
        record(name, "fake", "reach", 1, 0, True, attempt=2),  # retried: the success counts, 2 attempts stored
        record(name, "fake", "reach", 1, 2, None, error="timeout"),
        record(name, "fake", "reach", 1, 3, None, error="skipped"),
        record(name, "fake", "reach", 1, 4, False),
    ]
    return write_run(tmp_path, name, recs, bench="fake")


def read_data(out) -> dict:
    text = (out / "data.js").read_text()
    assert text.startswith("window.VIEW_DATA = ") and text.rstrip().endswith(";")
    return json.loads(text[len("window.VIEW_DATA = "):].rstrip().rstrip(";"))


def episodes(data: dict) -> list[dict]:
    """data.js's columnar episode blob back as one dict per row."""
    cols, n = data["episodes"]["cols"], data["episodes"]["n"]

    def value(c, i):
        if isinstance(c, list):
            return c[i]
        return c["d"][c["c"][i] if "c" in c else 0 if len(c["d"]) == 1 else i]
    return [{k: value(c, i) for k, c in cols.items()} for i in range(n)]


def _md_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in text.splitlines()
            if ln.startswith("|") and not ln.startswith("|--")]


def test_tables_are_the_report_numbers_cell_for_cell(tmp_path, capsys):
    a = write_run(tmp_path, "plus", libero_plus_records(np.random.default_rng(1), "plus", 0.8, 3),
                  bench="libero_plus", policy="policyA")
    data = read_data(build_site([a], tmp_path / "view", ViewOptions(plots=False)).parent)
    assert main(["report", str(a)]) == 0
    report_rows = _md_rows(capsys.readouterr().out)
    n_checked = 0
    for t in data["tables"]:
        for row in t["rows"]:
            if not row["values"]:
                continue
            if t["name"].startswith("robustness_libero_plus_matrix"):  # compact cells in the report
                cells = [f"{v['s']} {v['ci']} n={v['n']}" if v["r"] is not None else v["s"] for v in row["values"]]
            else:
                parts = ("s", "ci", "n", "f", "e") if any("f" in v for v in row["values"]) else ("s", "ci", "n", "e")
                cells = [v.get(p, "-") for v in row["values"] for p in parts]
            wanted = [*row["labels"], *cells, *row["tail"]]
            assert any(r[:len(wanted)] == wanted or _paper_row(r, wanted) for r in report_rows), (t["name"], wanted)
            n_checked += 1
    assert n_checked > 25
    camera = next(t for t in data["tables"] if t["name"] == "robustness_libero_plus_dimension")["rows"]
    assert camera[0]["labels"] == ["camera"] and camera[0]["values"][0]["n"] == "15"


def _paper_row(report_row: list[str], wanted: list[str]) -> bool:
    """Paper tables mix published numbers (no CI) with measured ones: compare the non-empty texts in order."""
    got = [c for c in report_row if c not in ("", "-")]
    return got == [c for c in wanted if c not in ("", "-")]


def test_episode_rows_outcomes_attempts_and_overview(tmp_path):
    run = _fake_run(tmp_path)
    data = read_data(build_site([run], tmp_path / "view", ViewOptions(plots=False)).parent)
    rows = episodes(data)
    assert len(rows) == 8  # one row per key: the retried key once
    by_key = {r["key"]: r for r in rows}
    retried = by_key["fake/reach/1/none/0"]
    assert retried["outcome"] == "success" and retried["attempts"] == 2 and retried["error_kind"] is None
    assert by_key["fake/reach/1/none/2"]["outcome"] == "timeout"
    assert by_key["fake/reach/1/none/3"]["outcome"] == "skipped"
    assert [r["outcome"] for r in rows[:4]] == ["success", "success", "success", "failure"]
    assert rows[0]["wall_s"] == 1.0 and rows[0]["policy_s"] == 0.1 and rows[0]["instruction"] == "do task 0"
    ov = data["runs"][0]
    assert (ov["planned"], ov["recorded"], ov["attempts"], ov["finished"]) == (9, 8, 9, 6)
    assert [(e["kind"], e["n"]) for e in ov["errors"]] == [("skipped", 1), ("timeout", 1)]
    assert ov["status"] == "finished" and ov["protocol_name"] == "fake" and ov["seed"] == 7
    assert ov["policy_version"] == "0"  # the records' PolicyRef (results/synthetic.py writes version "0")
    assert data["side"] is None and data["compare"] == []


def test_status_shown_when_the_manifest_has_one(tmp_path):
    run = _fake_run(tmp_path)
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "status": "complete"}))
    assert read_data(build_site([run], tmp_path / "v", ViewOptions(plots=False)).parent)["runs"][0]["status"] == \
        "complete"


def _pair(tmp_path, base_ok, cand_ok, cand_max_steps=None):
    base = write_run(tmp_path, "base", [record("base", "fake", "s", 0, i, ok) for i, ok in enumerate(base_ok)],
                     bench="fake", policy="old")
    cand = write_run(tmp_path, "cand", [record("cand", "fake", "s", 0, i, ok) for i, ok in enumerate(cand_ok)],
                     bench="fake", policy="new", max_steps=cand_max_steps)
    return base, cand


def test_side_by_side_flips_and_the_compare_verdict(tmp_path, capsys):
    base_ok = [True] * 30 + [False] * 10
    cand_ok = [False] * 20 + [True] * 10 + [True] * 2 + [False] * 8  # 20 lost, 2 gained
    base, cand = _pair(tmp_path, base_ok, cand_ok)
    data = read_data(build_site([base, cand], tmp_path / "view", ViewOptions(plots=False)).parent)
    side = data["side"]
    assert len(side["rows"]) == 40 and all(len(r) == 2 for r in side["rows"])
    assert side["flip"].count("lost") == 20 and side["flip"].count("gained") == 2
    rows = episodes(data)
    assert [rows[i]["key"] for i, _ in side["rows"]] == [f"fake/s/0/none/{t}" for t in range(40)]  # trial order
    for (i, j), flip in zip(side["rows"], side["flip"]):
        assert rows[i]["key"] == rows[j]["key"] and (rows[i]["run"], rows[j]["run"]) == (0, 1)
        assert (flip != "") == (rows[i]["outcome"] != rows[j]["outcome"])
    comp = data["compare"][0]
    assert comp["pairs"] == {"both": 10, "only_baseline": 20, "only_candidate": 2, "neither": 8}
    assert main(["compare", str(base), str(cand)]) == 1
    printed = capsys.readouterr().out
    assert comp["regression"] is True and comp["verdict"] == printed.strip().splitlines()[-1]
    assert comp["text"].splitlines()[-1] == comp["verdict"]


def test_an_incomplete_candidate_gets_no_plain_verdict_on_the_page(tmp_path):
    base, cand = _pair(tmp_path, [True] * 10, [True] * 6)  # the candidate has run 6 of the baseline's 10 keys
    assert main(["compare", str(base), str(cand)]) == 3  # compare: incomplete, no verdict
    comp = read_data(build_site([base, cand], tmp_path / "v", ViewOptions(plots=False)).parent)["compare"][0]
    assert comp["incomplete"] is True and comp["verdict"].startswith("INCOMPLETE, no verdict yet")
    assert "4 of the baseline's 10 episode keys have no record in the candidate" in comp["text"]


def test_different_protocols_refused_as_report_and_compare_do(tmp_path, capsys):
    base, cand = _pair(tmp_path, [True, False], [True, True], cand_max_steps=50)
    assert main(["view", str(base), str(cand), "--out", str(tmp_path / "v"), "--no-plots"]) == 2
    assert "different protocol hashes" in capsys.readouterr().err
    data = read_data(build_site([base, cand], tmp_path / "v", ViewOptions(plots=False, allow_protocol_mismatch=True))
                     .parent)
    assert "PROTOCOL MISMATCH (allowed)" in data["compare"][0]["text"]
    assert any("config.max_steps: None vs 50" in n for n in data["tables"][0]["notes"])


def test_videos_copied_linked_or_left_out(tmp_path):
    rec = record("v", "fake", "reach", 0, 0, False)
    rec = type(rec)(**{**rec.__dict__, "video": "videos/fake__reach__0__none__0__a1.mp4"})
    missing = type(rec)(**{**record("v", "fake", "reach", 0, 1, False).__dict__, "video": "videos/gone.mp4"})
    run = write_run(tmp_path, "v", [rec, missing], bench="fake")
    (run / "videos").mkdir()
    (run / rec.video).write_bytes(b"\x00\x00\x00\x18ftypmp42 not a real video")
    for mode in ("copy", "link", "none"):
        out = tmp_path / f"view-{mode}"
        rows = episodes(read_data(build_site([run], out, ViewOptions(plots=False, videos=mode)).parent))
        if mode == "none":
            assert rows[0]["video"] is None
            continue
        assert rows[0]["video"] == "videos/run0/fake__reach__0__none__0__a1.mp4" and rows[1]["video"] is None
        placed = out / rows[0]["video"]
        assert placed.read_bytes() == (run / rec.video).read_bytes() and placed.is_symlink() == (mode == "link")


def test_refuses_to_write_into_a_run_directory(tmp_path, capsys):
    run = _fake_run(tmp_path)
    before = (run / "episodes.jsonl").read_bytes()
    assert main(["view", str(run), "--out", str(run)]) == 2
    assert "is a run directory" in capsys.readouterr().err
    assert (run / "episodes.jsonl").read_bytes() == before and not (run / "index.html").exists()


def test_page_assets_load_nothing_from_the_network(tmp_path):
    out = build_site([_fake_run(tmp_path)], tmp_path / "view", ViewOptions(plots=False)).parent
    for name in ("index.html", "assets/app.js", "assets/style.css"):
        text = (out / name).read_text()
        assert not re.search(r"https?://|//cdn|@import|fetch\(|XMLHttpRequest", text), name
    html = (out / "index.html").read_text()
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["assets/style.css", "data.js", "assets/app.js"]


def test_cli_writes_plots_and_serves_on_localhost(tmp_path, capsys):
    run = _fake_run(tmp_path)
    assert main(["view", str(run), "--out", str(tmp_path / "view")]) == 0
    data = read_data(tmp_path / "view")
    assert data["plots"] and all((tmp_path / "view" / p["src"]).is_file() for p in data["plots"])
    server = make_server(tmp_path / "view", 0)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as resp:
            assert resp.status == 200 and b"assets/app.js" in resp.read()
    finally:
        thread.join(timeout=10)
        server.server_close()


def test_bad_port_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["view", str(_fake_run(tmp_path))])  # --out is required: argparse's usage error, exit 2
    assert main(["view", str(_fake_run(tmp_path, "b")), "--out", str(tmp_path / "v"), "--serve", "--port",
                 "70000"]) == 2
    assert "--port must be in 0-65535" in capsys.readouterr().err


def test_text_columns_store_codes_only_when_they_save_something():
    assert text_column(["a", "b", "a", "a"]) == {"d": ["a", "b"], "c": [0, 1, 0, 0]}
    assert text_column([None, None, None]) == {"d": [None]}  # row i is d[0]
    assert text_column(["k0", "k1", "k2"]) == {"d": ["k0", "k1", "k2"]}  # row i is d[i]


def test_serve_flag_is_bounded_and_stops_by_itself(tmp_path, capsys):
    run = _fake_run(tmp_path)
    assert main(["view", str(run), "--out", str(tmp_path / "v"), "--no-plots", "--serve", "--port", "0",
                 "--serve-seconds", "0.5"]) == 0
    assert re.search(r"serving .* at http://127\.0\.0\.1:\d+/ \(Ctrl-C stops\)", capsys.readouterr().out)
