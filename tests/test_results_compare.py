"""`vla-harness compare`: exit 1 only on a significant drop beyond the tolerance; paired where keys match."""

from __future__ import annotations

import pytest

from vla_harness.cli.main import main
from vla_harness.results.compare import compare
from vla_harness.results.synthetic import record, write_run


def _paired(tmp_path, both, only_base, only_cand, neither, *, cand_errors=0, suites=("s1",), max_steps=None,
            error="policy_error"):
    """Baseline and candidate on the same keys with the given paired outcome counts (spread over the suites)."""
    outcomes = [(True, True)] * both + [(True, False)] * only_base + [(False, True)] * only_cand \
        + [(False, False)] * neither
    base, cand = [], []
    for i, (b, c) in enumerate(outcomes):
        suite = suites[i % len(suites)]
        base.append(record("base", "fake", suite, i % 7, i, b))
        cand.append(record("cand", "fake", suite, i % 7, i, c))
    for j in range(cand_errors):  # the candidate ended in an error on extra keys the baseline solved
        base.append(record("base", "fake", suites[0], 0, 10_000 + j, True))
        cand.append(record("cand", "fake", suites[0], 0, 10_000 + j, None, error=error))
    b = write_run(tmp_path, "base", base, bench="fake", policy="vla_jepa", checkpoint="old.pt")
    c = write_run(tmp_path, "cand", cand, bench="fake", policy="vla_jepa", checkpoint="new.pt", max_steps=max_steps)
    return str(b), str(c)


def _all_row(out: str) -> list[str]:
    line = next(ln for ln in out.splitlines() if ln.startswith("| all "))
    return [c.strip() for c in line.strip("|").split("|")]


def test_clearly_worse_candidate_exits_1_with_evidence(tmp_path, capsys):
    # 100 pairs: baseline 80%, candidate 55%; 30 pairs lost, 5 won -> exact McNemar p = 2.24e-5
    assert main(["compare", *_paired(tmp_path, 50, 30, 5, 15, suites=("s1", "s2"))]) == 1
    out = capsys.readouterr().out
    row = _all_row(out)
    assert row[:5] == ["all", "100", "80.0", "55.0", "-25.0"] and row[6] == "30 / 5"
    assert float(row[7]) == pytest.approx(2.236e-5, rel=1e-3)
    lo, hi = (float(x) for x in row[5].strip("[]").split(","))
    assert lo < -25 < hi < 0
    assert "| fake/s1 " in out and "| fake/s2 " in out  # per-suite rows
    assert "PAIRED on 100 episode keys" in out and "REGRESSION" in out


def test_equal_candidate_on_a_small_sample_cannot_be_judged_unless_allowed(tmp_path, capsys):
    runs = _paired(tmp_path, 30, 8, 8, 14)
    assert main(["compare", *runs]) == 3  # 60 pairs over 7 tasks cannot see a 10-point drop: no "OK"
    out = capsys.readouterr().out
    assert _all_row(out)[4] == "+0.0" and "CANNOT JUDGE" in out and "episodes per task" in out
    assert main(["compare", *runs, "--allow-underpowered"]) == 0
    assert "OK (UNDERPOWERED, --allow-underpowered)" in capsys.readouterr().out
    assert main(["compare", *runs, "--detect", "0.35"]) == 0  # what this sample can detect (its MDD is ~29 points)
    assert "OK: the candidate is not worse" in capsys.readouterr().out


def test_slightly_worse_within_noise_is_not_a_regression(tmp_path, capsys):
    # 3 points worse on 100 pairs (5 lost, 2 won): p = 0.45, not significant
    assert main(["compare", *_paired(tmp_path, 60, 5, 2, 33), "--allow-underpowered"]) == 0
    assert "the drop is not significant" not in capsys.readouterr().out  # underpowered: said as such


def test_significant_but_within_tolerance_exits_0(tmp_path):
    base = [record("b", "fake", "s", 0, i, True) for i in range(2000)]
    cand = [record("c", "fake", "s", 0, i, i >= 30) for i in range(2000)]  # 1.5 points worse, p ~ 2e-9
    comp = compare(base, cand, tolerance=0.02, alpha=0.05)
    assert comp.significant and not comp.regression
    assert compare(base, cand, tolerance=0.01, alpha=0.05).regression


def test_policy_faults_are_failures_so_crashing_never_passes(tmp_path, capsys):
    b, c = _paired(tmp_path, 20, 0, 0, 20, cand_errors=15, error="nan_action")
    assert main(["compare", b, c]) == 1
    out = capsys.readouterr().out
    assert _all_row(out)[:4] == ["all", "55", "63.6", "36.4"] and _all_row(out)[6] == "15 / 0"
    assert "REGRESSION" in out


@pytest.mark.parametrize("kind", ["timeout", "worker_died", "policy_unreachable", "env_error"])
def test_env_and_infra_errors_left_are_refused_or_left_out_with_allow_missing(tmp_path, capsys, kind):
    b, c = _paired(tmp_path, 20, 0, 0, 20, cand_errors=15, error=kind)
    assert main(["compare", b, c]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"15 keys ended in errors not resumed ({kind} 15)" in err and "resume" in err
    assert main(["compare", b, c, "--allow-missing", "--allow-underpowered"]) == 0
    out = capsys.readouterr().out
    assert _all_row(out)[:4] == ["all", "40", "50.0", "50.0"] and "INCOMPLETE (--allow-missing)" in out


def test_unpaired_fallback_says_so(tmp_path, capsys):
    base = [record("b", "fake", "s", 0, i, i % 10 < 8) for i in range(50)]  # 80%
    cand = [record("c", "fake", "s", 1, i, i % 10 < 4) for i in range(50)]  # 40%, other keys
    b = write_run(tmp_path, "b", base, bench="fake")
    c = write_run(tmp_path, "c", cand, bench="fake")
    assert main(["compare", str(b), str(c)]) == 3  # the candidate has none of the baseline's keys
    assert main(["compare", str(b), str(c), "--allow-missing"]) == 1
    out = capsys.readouterr().out
    assert "UNPAIRED" in out and "Newcombe" in out and _all_row(out)[1] == "50 / 50"
    assert main(["compare", str(b), str(b), "--allow-underpowered"]) == 0


def test_bad_inputs_exit_2_and_other_protocols_are_refused_with_3(tmp_path, capsys):
    b, c = _paired(tmp_path, 10, 0, 0, 10, max_steps=50)
    assert main(["compare", b, c]) == 3
    assert "different protocols" in capsys.readouterr().err
    assert main(["compare", b, c, "--allow-protocol-mismatch", "--allow-underpowered"]) == 0
    empty = write_run(tmp_path, "empty", [record("e", "fake", "s1", 0, 0, None, error="timeout")], bench="fake")
    assert main(["compare", str(empty), b]) == 2
    assert "no episodes to compare" in capsys.readouterr().err
    assert main(["compare", b, b, "--alpha", "1.5"]) == 2


@pytest.mark.parametrize("tolerance", [0.0, 0.02])
def test_decision_rule_on_the_worked_example(tolerance):
    # Cavo et al. table (McNemar exact p = 0.0525): with the roles set so the candidate is worse, not significant.
    base = [record("b", "x", "s", 0, i, ok) for i, ok in enumerate([True] * 65 + [False] * 96)]
    cand = [record("c", "x", "s", 0, i, ok) for i, ok in
            enumerate([True] * 59 + [False] * 6 + [True] * 16 + [False] * 80)]
    comp = compare(cand, base, tolerance=tolerance)  # baseline = the better one
    assert comp.overall.p_value == pytest.approx(0.052479, abs=1e-6) and not comp.regression
    assert compare(cand, base, tolerance=tolerance, alpha=0.06).regression


def _fake_runs(tmp_path, base_ok, cand):
    """200 baseline episodes on fake (task = i // 20, trial = i % 20) and a candidate given as {i: outcome}."""
    base = [record("base", "fake", "reach", i // 20, i % 20, base_ok(i)) for i in range(200)]
    recs = [record("cand", "fake", "reach", i // 20, i % 20, None if isinstance(o, str) else o,
                   error=o if isinstance(o, str) else None) for i, o in cand.items()]
    return str(write_run(tmp_path, "base", base, bench="fake")), str(write_run(tmp_path, "cand", recs, bench="fake"))


def test_140_of_200_nan_actions_is_a_regression_not_ok(tmp_path, capsys):
    # the case: before, errored keys were dropped from both sides and this exited 0 ("OK")
    b, c = _fake_runs(tmp_path, lambda i: i % 4 != 0, {i: "nan_action" if i < 140 else i % 4 != 0 for i in range(200)})
    assert main(["compare", b, c]) == 1
    out = capsys.readouterr().out
    assert _all_row(out)[:4] == ["all", "200", "75.0", "22.5"] and "REGRESSION" in out


def test_60_of_200_episodes_is_refused_and_allow_missing_compares_the_60(tmp_path, capsys):
    b, c = _fake_runs(tmp_path, lambda i: i % 4 != 0, {i: i % 4 != 0 for i in range(60)})
    assert main(["compare", b, c]) == 3
    err = capsys.readouterr().err
    assert "140 of the baseline's 200 episode keys have no record in the candidate" in err
    assert err.startswith("error: candidate is incomplete") and err.count("\n") == 1
    assert main(["compare", b, c, "--allow-missing", "--allow-underpowered"]) == 0
    out = capsys.readouterr().out
    assert _all_row(out)[:4] == ["all", "60", "75.0", "75.0"] and "only shared keys are compared" in out
