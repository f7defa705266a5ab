"""Benchmark facts reach results/ only through the manifests: LIBERO's table family and the published tables' columns,
the metrics a benchmark declares, the clipped actions a record counts; manifests from before the facts still read."""

from __future__ import annotations

import dataclasses

from vla_harness.benchmarks.libero.protocol import libero_protocol
from vla_harness.benchmarks.simpler.protocol import bridge_protocol
from vla_harness.harness.manifest import RunManifest
from vla_harness.harness.store import RunStore
from vla_harness.results.facts import BenchFacts, facts_of
from vla_harness.results.load import families, load_columns
from vla_harness.results.metrics import metrics_table
from vla_harness.results.paper import layouts
from vla_harness.results.synthetic import record, write_run
from vla_harness.results.tables import to_text


def _manifest(protocol) -> RunManifest:
    return RunManifest(config={}, protocol=protocol if isinstance(protocol, dict) else dataclasses.asdict(protocol))


def test_the_benchmarks_state_their_facts_and_old_manifests_get_the_same():
    libero = facts_of(_manifest(libero_protocol("libero_goal")))
    assert libero.family == "libero" and list(libero.paper_columns)[:2] == ["libero_spatial", "libero_object"]
    old = facts_of(_manifest({"name": "libero_goal", "report": {}}))  # written before the facts existed
    assert (old.family, old.paper_columns) == (libero.family, libero.paper_columns)
    sweep = facts_of(_manifest({"name": "libero_goal", "report": {"dimensions": ["light"], "level_name": "level"}}))
    assert sweep.family is None and not sweep.paper_columns  # a perturbation sweep is not the clean suite
    bridge = facts_of(_manifest(bridge_protocol(False)))
    assert "is_src_obj_grasped" in bridge.metrics and len(bridge.paper_columns) == 4
    assert facts_of(_manifest({"name": "simpler_bridge"})).paper_columns == bridge.paper_columns
    assert facts_of(_manifest({"name": "mybench"})) == BenchFacts()


def test_libero_suites_share_one_table_and_the_published_layouts_come_from_the_runs(tmp_path):
    spatial = write_run(tmp_path, "s", [record("s", "libero_spatial", "libero_spatial", 0, 0, True)],
                        bench="libero_spatial")
    bridge = write_run(tmp_path, "b", [record("b", "simpler_bridge", "bridge", 0, 0, False,
                                              task_name="put_carrot_on_plate")], bench="simpler_bridge")
    columns = load_columns([spatial, bridge], labels=["p", "p"])
    assert families(columns) == {"libero", "simpler_bridge"}
    assert [layout.benchmark for layout in layouts(columns)] == ["libero", "simpler_bridge"]
    assert layouts(load_columns([bridge]))[0].headers[0] == "Carrot on plate"


def test_declared_metrics_and_clipped_actions_are_shown(tmp_path):
    recs = [record("b", "simpler_bridge", "bridge", 0, t, False, metrics={"is_src_obj_grasped": t < 3,
                                                                          "success_any_step": False})
            for t in range(4)]
    recs[0] = dataclasses.replace(recs[0], actions_out_of_range=7)
    recs[1] = dataclasses.replace(recs[1], actions_out_of_range=0)
    recs.append(record("b", "simpler_bridge", "bridge", 1, 0, None, error="env_error"))
    run = write_run(tmp_path, "b", recs, bench="simpler_bridge")
    undeclared = metrics_table(load_columns([run]))  # the synthetic manifest declares no metric: the count alone
    assert [row.labels[1] for row in undeclared.rows] == ["actions_out_of_range > 0"]
    store = RunStore(run)
    manifest = store.read_manifest()
    manifest["protocol"]["report"] = bridge_protocol(False).report
    store.write_manifest(manifest)
    text = to_text(metrics_table(load_columns([run])))
    grasp = next(line for line in text.splitlines() if "is_src_obj_grasped" in line)
    assert "75.0%! [30.1, 95.4] n=4 err=1" in grasp  # 3 of the 4 finished episodes; the env_error apart
    clipped = next(line for line in text.splitlines() if "actions_out_of_range > 0" in line)
    assert "50.0%! [9.5, 90.5] n=2 err=1" in clipped  # 1 of the 2 records that carry a count
