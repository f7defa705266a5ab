"""The table printed at the end of `vla-harness eval`: per task, and per dimension for perturbation runs."""

from vla_harness.results.summary import summary_table
from vla_harness.results.synthetic import record


def _row(text: str, label: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(f"| {label} "))
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _plus(i, dim, diff, ok, error=None):
    pert = {"dimension": dim, "difficulty": diff, "level": None, "variant_id": f"v{i:04d}", "params": {}}
    return record("r", "libero_plus", "libero_spatial", i % 2, 0, ok, error=error, perturbation=pert)


def test_libero_plus_run_ends_with_success_per_dimension():
    recs = [_plus(0, "camera", 4, True), _plus(1, "camera", 5, False), _plus(2, "camera", 4, True),
            _plus(3, "noise", 5, False), _plus(4, "light", None, None, error="skipped"),
            _plus(5, "noise", 4, None, error="env_error")]
    out = summary_table(recs)
    assert _row(out, "camera") == ["camera", "66.7%", "[20.8, 93.9]", "3", "0", "0", "0"]
    assert _row(out, "noise") == ["noise", "0.0%", "[0.0, 79.3]", "1", "0", "1", "0"]
    assert _row(out, "light") == ["light", "skipped", "-", "0", "0", "0", "1"]  # all skipped: not run, not failed
    assert out.index("| camera") > out.index("**all tasks**")  # after the per-task table


def test_a_run_without_perturbations_has_no_dimension_table():
    out = summary_table([record("r", "libero_spatial", "libero_spatial", 0, t, t == 0) for t in range(3)])
    assert "dimension" not in out


def test_the_dimension_table_follows_the_benchmarks_order_from_its_manifest():
    from vla_harness.harness.manifest import RunManifest
    from vla_harness.results.facts import facts_of

    recs = [_plus(0, "noise", 4, True), _plus(1, "camera", 5, False), _plus(2, "layout", 4, True)]
    facts = facts_of(RunManifest(config={}, protocol={"report": {"dimensions": ["layout", "camera", "noise"]}}))
    out = summary_table(recs, facts=facts)
    assert out.index("| layout") < out.index("| camera") < out.index("| noise")
    plain = summary_table(recs)  # a manifest without facts: by name
    assert plain.index("| camera") < plain.index("| layout") < plain.index("| noise")
