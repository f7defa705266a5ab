"""A run's label says what was evaluated, and `report` never pools runs of different policies (issue #27 item 1)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from tests.openpi_server import OpenpiStandIn
from vla_harness.cli.main import main
from vla_harness.cli.resolve import build_policy
from vla_harness.harness.store import read_records
from vla_harness.harness.types import PolicyRef
from vla_harness.policies.server import PolicyServer, ServerConfig, ServerThread
from vla_harness.policies.vla_jepa.checkpoint import DEFAULT, digest
from vla_harness.results.identity import PolicyMismatch
from vla_harness.results.load import load_columns
from vla_harness.results.synthetic import record, write_run

pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")


def _run(tmp_path, name, ref: PolicyRef | None, policy="vla_jepa", options=None, n=4):
    recs = [dataclasses.replace(record(name, "fake", "reach", 0, t, t % 2 == 0), policy=ref) for t in range(n)]
    run = write_run(tmp_path, name, recs, bench="fake", policy=policy)
    if options:  # the run's config as eval writes it, with its policy options
        manifest = json.loads((run / "manifest.json").read_text())
        manifest["config"]["policy_options"] = options
        (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def _jepa(sha: str, ckpt="checkpoints/vla_jepa_fresh") -> PolicyRef:
    return PolicyRef("vla_jepa", "64d2L", "m:f", "vla_jepa", {"checkpoint": ckpt, "sha256": sha})


def test_remote_servers_of_two_policies_are_two_columns(tmp_path, capsys):
    args = ["--bench", "fake", "--tasks", "0", "--trials", "2", "--out", str(tmp_path), "--no-progress"]
    for name in ("zero", "random"):
        server = ServerThread(PolicyServer(lambda n=name: build_policy(n, {}), ServerConfig(port=0))).start()
        with server:
            assert main(["eval", *args, "--name", name, "--policy", "remote", "--policy-url", server.url]) == 0
        assert {r.policy.spec_name for r in read_records(tmp_path / name)} == {f"remote:{name}"}
    capsys.readouterr()
    assert [c.label for c in load_columns([tmp_path / "zero", tmp_path / "random"])] == ["remote:zero",
                                                                                         "remote:random"]
    assert main(["report", str(tmp_path / "zero"), str(tmp_path / "random")]) == 0
    out = capsys.readouterr().out
    assert "remote:zero " in out and "remote:random " in out and "appear in more than one of its runs" not in out


def test_servers_of_other_models_are_told_apart_by_their_metadata_or_a_model_name(tmp_path, capsys):
    """openpi-style servers: two checkpoints behind the same client name are never one column."""
    args = ["--bench", "fake", "--tasks", "0", "--trials", "2", "--out", str(tmp_path), "--no-progress",
            "--policy", "remote", "-P", "cameras=agentview", "-P", "image_size=8"]
    chunk = np.zeros((4, 7), np.float32)
    for name, metadata, extra in (("a", {"config": "pi05_libero"}, []), ("b", {"config": "pi0_libero"}, []),
                                  ("c", {}, ["-P", "model=ckpt-42"])):
        with OpenpiStandIn(chunk, metadata) as server:
            assert main(["eval", *args, *extra, "--name", name, "--policy-url", server.url]) == 0
    err = capsys.readouterr().err
    assert err.count("sends no metadata naming its model") == 0  # c is named by -P model
    identities = [read_records(tmp_path / n)[0].policy.identity for n in "abc"]
    assert identities[0] != identities[1] and identities[2] == {"model": "ckpt-42"}
    columns = load_columns([tmp_path / n for n in "abc"])
    assert len({c.label for c in columns}) == 3


def test_checkpoints_are_told_apart_by_sha256_and_the_default_is_named(tmp_path, capsys):
    a = _run(tmp_path, "a", _jepa("a" * 64))
    b = _run(tmp_path, "b", _jepa("b" * 64, "/elsewhere/vla_jepa_fresh"))
    c = _run(tmp_path, "c", _jepa("a" * 64, "/copy/of/vla_jepa_fresh"))  # the same bytes elsewhere: one policy
    cols = load_columns([a, b, c])
    assert [c.label for c in cols] == ["vla_jepa:vla_jepa_fresh@aaaaaaaa", "vla_jepa:vla_jepa_fresh@bbbbbbbb"]
    assert [len(c.runs) for c in cols] == [2, 1]
    assert main(["report", str(a), str(b)]) == 0
    runs_table = capsys.readouterr().out.split("### ")[1]
    assert "checkpoint checkpoints/vla_jepa_fresh; sha256 " + "a" * 64 in runs_table  # the full digest, not '-'


def test_a_label_names_a_run_and_never_pools_two_policies(tmp_path, capsys):
    a, b = _run(tmp_path, "a", _jepa("a" * 64)), _run(tmp_path, "b", _jepa("b" * 64))
    assert [c.label for c in load_columns([a, b], ["old", "new"])] == ["old", "new"]
    with pytest.raises(PolicyMismatch, match="--label 'ours' names runs of different policies"):
        load_columns([a, b], ["ours", "ours"])
    assert main(["report", str(a), str(b), "--label", "ours", "--label", "ours"]) == 2
    assert "different policies" in capsys.readouterr().err


def test_behaviour_options_are_in_the_label_transport_options_are_not(tmp_path):
    ref = PolicyRef("zero", "1", "m:f", "zero", {})
    plain = _run(tmp_path, "plain", ref, "zero", {"url": "ws://x:1"})
    chunked = _run(tmp_path, "chunked", ref, "zero", {"chunk": 8, "token": "secret", "read_timeout_s": 5})
    assert [c.label for c in load_columns([plain, chunked])] == ["zero", "zero[chunk=8]"]


def test_a_run_whose_checkpoint_changed_before_resume_is_refused(tmp_path):
    run = _run(tmp_path, "mixed", _jepa("a" * 64), n=2)
    with open(run / "episodes.jsonl", "a") as f:
        for t in (2, 3):
            rec = dataclasses.replace(record("mixed", "fake", "reach", 0, t, True), policy=_jepa("b" * 64))
            f.write(json.dumps(rec.to_dict()) + "\n")
    with pytest.raises(PolicyMismatch, match="holds records of 2 different policies"):
        load_columns([run])


def test_runs_without_recorded_identity_are_labelled_from_their_config(tmp_path):
    old = _run(tmp_path, "old", PolicyRef("vla_jepa", "64d2L"), options={"checkpoint": "ckpt/x"})
    assert [c.label for c in load_columns([old])] == ["vla_jepa:x"]
    new = _run(tmp_path, "new", _jepa("a" * 64, "ckpt/x"), options={"checkpoint": "ckpt/x"})
    assert [c.label for c in load_columns([old, new], ["x", "x"])] == ["x"]  # the configs agree: one policy


def test_vla_jepa_declares_its_checkpoint_and_sha256():
    policy = build_policy("vla_jepa", {})
    spec, other = policy.spec(), build_policy("vla_jepa", {"checkpoint": str(DEFAULT.parent / "vla_jepa_no_stage1")})
    assert spec.identity == {"checkpoint": "checkpoints/vla_jepa_v2_s1", "sha256": digest(DEFAULT)}
    assert len(spec.identity["sha256"]) == 64 and other.spec().identity["sha256"] != spec.identity["sha256"]
