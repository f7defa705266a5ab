"""The viewer in a real browser: headless Chromium opens the written page from disk (file://, no server) and the
rendered DOM must hold the report's success numbers, the episode rows and the compare verdict; plus a screenshot.

Chromium is a Debian package installed by scripts/install_system.sh; without it this test fails (it is never skipped).
"""

from __future__ import annotations

import re

from vla_harness.results.synthetic import record, write_run
from vla_harness.results.view.chromium import dump_dom, page_url, screenshot
from vla_harness.results.view.site import ViewOptions, build_site


def _runs(tmp_path):
    base = [record("base", "fake", "reach", 0, t, ok) for t, ok in enumerate([True, True, True, False])]
    base += [record("base", "fake", "reach", 1, t, t < 2) for t in range(5)]
    base.append(record("base", "fake", "reach", 1, 5, None, error="timeout"))
    cand = [record("cand", "fake", "reach", 0, t, ok) for t, ok in enumerate([True, False, False, False])]
    cand += [record("cand", "fake", "reach", 1, t, t < 3) for t in range(6)]
    return (write_run(tmp_path, "base", base, bench="fake", policy="old"),
            write_run(tmp_path, "cand", cand, bench="fake", policy="new"))


def _cell_texts(dom: str, table: str) -> list[str]:
    """The texts of one report table's value cells, in order ("75.0 [30.1, 95.4] n=4")."""
    body = dom.split(f'id="t-{table}"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="v">(.*?)</td>', body)]


def test_page_renders_report_numbers_episode_rows_and_verdict(tmp_path):
    base, cand = _runs(tmp_path)
    index = build_site([base, cand], tmp_path / "view", ViewOptions(plots=True))
    page = dump_dom(page_url(index, tab="episodes"))
    dom = page.dom
    assert re.search(r'data-ready-ms="[\d.]+"', dom), "the page script did not finish"
    # Success by task, as `report` prints it: task 0 is 3/4 = 75.0 [30.1, 95.4] (base) and 1/4 = 25.0 (cand)
    cells = _cell_texts(dom, "success_by_task")
    assert cells[:2] == ["75.0% [30.1, 95.4] n=4", "25.0% [4.6, 69.9] n=4"]
    assert cells[2] == "40.0%! [11.8, 76.9] n=5 err 1" and cells[3] == "50.0% [18.8, 81.2] n=6"
    # episode rows: 20 keys in all (10 per run), drawn by the virtualized table
    assert "20 of 20 episodes" in dom
    rows = re.findall(r'<tr class="row" data-i="(\d+)"', dom)
    assert len(rows) >= 20 and "fake/reach/1/none/5" in dom
    assert ">timeout (infra)<" in dom or ">timeout<" in dom  # blame where the harness has the taxonomy
    # side by side: the compare verdict and the flipped keys (task 0 trials 1, 2 lost; task 1 trial 2 gained)
    assert re.search(r'class="verdict (ok|regression|refused)">(OK|REGRESSION|CANNOT JUDGE): ', dom)
    assert "flipped only (3)" in dom
    assert all(f'src="{p}"' in dom for p in ("plots/success_by_task_fake.png",))


def test_filters_from_the_address_and_timing_mode(tmp_path):
    base, _ = _runs(tmp_path)
    index = build_site([base], tmp_path / "view", ViewOptions(plots=False))
    dom = dump_dom(page_url(index, query="outcome=failure&timing=1", tab="episodes")).dom
    assert "10 of 10 episodes" in dom  # the timing pass sets and clears every filter ...
    assert re.search(r'data-filter-max-ms="[\d.]+"', dom) and re.search(r'data-filter-count="\d+"', dom)
    dom = dump_dom(page_url(index, query="outcome=failure", tab="episodes")).dom
    assert "4 of 10 episodes" in dom  # ... and without it the address's filter stays: 1 + 3 failures
    shown = re.findall(r'<td class="o-(\w+)"', dom)
    assert shown and set(shown) == {"fail"}


def test_screenshot_of_the_overview(tmp_path):
    base, cand = _runs(tmp_path)
    index = build_site([base, cand], tmp_path / "view", ViewOptions(plots=False))
    png = screenshot(page_url(index, tab="overview"), tmp_path / "overview.png", size=(1200, 800))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few kB


def test_episode_detail_plays_its_video_from_the_site(tmp_path):
    rec = record("v", "fake", "reach", 0, 0, False)
    rec = type(rec)(**{**rec.__dict__, "video": "videos/fake__reach__0__none__0__a1.mp4"})
    run = write_run(tmp_path, "v", [rec, record("v", "fake", "reach", 0, 1, True)], bench="fake")
    (run / "videos").mkdir()
    (run / rec.video).write_bytes(b"not decoded by this test")
    index = build_site([run], tmp_path / "view", ViewOptions(plots=False))
    dom = dump_dom(page_url(index, query=f"episode={rec.key}", tab="episodes")).dom
    assert re.search(r'<video src="videos/run0/fake__reach__0__none__0__a1.mp4"[^>]*controls', dom)
    assert f"<h3>{rec.key}</h3>" in dom and "wall 1 = sim 0.5 + render 0.3 + policy 0.1 + other 0.1" in dom
