"""Drop from level 0 and the difference of two policies' drops (results/drops.py), on synthetic sweeps whose numbers
are worked out by hand, through `vla-harness report`."""

import pytest

from vla_harness.cli.main import main
from vla_harness.results.drop_difference import ALL_DIMENSIONS, Z80, drop
from vla_harness.results.synthetic import record, write_run

OPTIONS = {"perturb": "camera,light", "levels": "0,2,4"}


def _sweep(run: str, outcomes: dict[tuple[str, int], list[bool]]):
    """4 base episodes (task 0, trials 0-3); outcomes[(dimension, level)] = success per trial."""
    recs = []
    for (dim, lv), oks in outcomes.items():
        pert = {"dimension": dim, "level": lv, "params": {}, "difficulty": None, "variant_id": None}
        recs += [record(run, "libero_object", "libero_object", 0, t, ok, perturbation=pert) for t, ok in enumerate(oks)]
    return recs


# A loses half a success per base episode on camera (one of two levels fails), B loses nothing; both keep light.
A = _sweep("a", {("none", 0): [True] * 4, ("camera", 2): [True] * 4, ("camera", 4): [False] * 4,
                 ("light", 2): [True] * 4, ("light", 4): [True] * 4})
B = _sweep("b", {("none", 0): [True, True, True, False], ("camera", 2): [True, True, True, False],
                 ("camera", 4): [True, True, True, False], ("light", 2): [True, True, False, False],
                 ("light", 4): [True, True, True, False]})


def test_drops_are_per_base_episode_and_their_difference_is_paired():
    cam = drop(A, B, "camera")
    assert cam.n == 4 and cam.first == (1.0, 0.5, 0.5) and cam.second == (0.75, 0.75, 0.0)
    assert cam.diff == pytest.approx(-0.5) and cam.ci == pytest.approx((-0.5, -0.5))  # the same in every episode
    light = drop(A, B, "light")
    assert light.second == (0.75, 0.625, pytest.approx(0.125)) and light.diff == pytest.approx(0.125)
    lo, hi = light.ci  # per-episode differences 0, 0, 0.5, 0: mean 0.125, sd 0.25, n 4
    assert (lo, hi) == pytest.approx((0.125 - 1.959964 * 0.125, 0.125 + 1.959964 * 0.125), abs=1e-5)
    assert light.detectable == pytest.approx((1.959964 + 0.841621) * 0.125, abs=1e-5) and cam.detectable == 0


def test_the_pooled_row_averages_every_dimension_and_level_of_a_base_episode():
    pooled = drop(A, B, ALL_DIMENSIONS)  # A drops 1/4 in every episode; B drops 0, 0, 1/4, 0 (trial 3 fails all)
    assert pooled.n == 4 and pooled.first == (1.0, 0.75, 0.25) and pooled.second == (0.75, pytest.approx(0.6875),
                                                                                       pytest.approx(0.0625))
    assert pooled.diff == pytest.approx(-0.1875)
    assert Z80 == pytest.approx(0.841621, abs=1e-6)


def test_a_base_episode_missing_an_outcome_is_left_out():
    short = [r for r in B if not (r.spec.trial == 3 and r.spec.perturbation.dimension == "camera"
                                  and r.spec.perturbation.level == 4)]
    assert drop(A, short, "camera").n == 3


def test_report_prints_the_drop_table_for_two_sweeps(tmp_path, capsys):
    a = write_run(tmp_path, "a", A, bench="libero_object", policy="armA", bench_options=OPTIONS)
    b = write_run(tmp_path, "b", B, bench="libero_object", policy="armB", bench_options=OPTIONS)
    assert main(["report", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| camera") and "->" in line)
    assert "100.0 -> 50.0 (-50.0)" in row and "75.0 -> 75.0 (+0.0)" in row and "-50.0 [-50.0, -50.0]" in row
    assert row.rstrip(" |").endswith("0.0")  # no spread: any difference would be seen
    pooled = next(line for line in out.splitlines() if line.startswith(f"| {ALL_DIMENSIONS}"))
    assert "-18.8 [" in pooled
