"""One error taxonomy (harness/errors.py): user errors are types, episode errors carry blame."""

from __future__ import annotations

import errno

import numpy as np
import pytest

from tests.fixtures import ScriptedPolicy
from vla_harness.benchmarks.fake.bench import PROTOCOL, FakeBenchmark
from vla_harness.harness import errors
from vla_harness.harness.episode import run_episode
from vla_harness.harness.protocols import BenchSelection, StopRun


def _user_error_classes():
    from vla_harness.benchmarks.libero.env import MissingDependency as LiberoMissing
    from vla_harness.cli.commands.serve_cmd import ServeError
    from vla_harness.harness.config import ConfigError
    from vla_harness.harness.evaluate import ProtocolMismatch
    from vla_harness.harness.registry import UnknownNameError
    from vla_harness.harness.runners.ray_scheduler import AllWorkersLost, WorkerStartError
    from vla_harness.harness.store import StoreError
    from vla_harness.policies.clients.transport import PolicyUnreachable, RunStopped
    from vla_harness.policies.vla_jepa.checkpoint import CheckpointError
    from vla_harness.recording.reader import DatasetError
    from vla_harness.results.compare import NoEpisodes
    from vla_harness.results.export import MissingDependency
    from vla_harness.results.load import ProtocolMismatch as ReportMismatch

    return [ConfigError, StoreError, ProtocolMismatch, ReportMismatch, UnknownNameError, MissingDependency,
            LiberoMissing, CheckpointError, PolicyUnreachable, RunStopped, StopRun, ServeError, DatasetError,
            NoEpisodes, AllWorkersLost, WorkerStartError]


@pytest.mark.parametrize("cls", _user_error_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_user_error_is_a_user_error_and_shown_as_one_line(cls):
    assert issubclass(cls, errors.UserError)
    assert errors.one_line(cls("what was wrong")) == ("what was wrong", 2)


def test_one_class_per_error_wherever_it_is_imported_from():
    from vla_harness.benchmarks.libero.env import MissingDependency as libero
    from vla_harness.benchmarks.simpler.assets import MissingDependency as simpler
    from vla_harness.harness.config import ConfigError
    from vla_harness.harness.evaluate import ProtocolMismatch
    from vla_harness.policies.vla_jepa.config import ConfigError as jepa_config
    from vla_harness.policies.vla_jepa.text import MissingDependency as text
    from vla_harness.results.export import MissingDependency as export
    from vla_harness.results.load import ProtocolMismatch as report

    assert libero is simpler is text is export is errors.MissingDependency
    assert ConfigError is jepa_config is errors.ConfigError and ProtocolMismatch is report is errors.ProtocolMismatch
    assert StopRun is errors.StopRun and not hasattr(errors, "WorkerDied")
    assert errors.MissingDependency("x").kind == "env_error"  # inside an episode: the environment's, re-run


def test_blame_of_every_kind_and_unknown_kinds_are_rerun():
    assert {k: b.value for k, b in errors.KIND_BLAME.items()} == {
        "policy_error": "policy", "nan_action": "policy", "bad_action_shape": "policy", "env_error": "env",
        "worker_died": "infra", "timeout": "infra", "policy_unreachable": "infra", "skipped": "skip"}
    assert errors.is_policy_fault("nan_action") and errors.is_final("nan_action") and errors.is_final("skipped")
    assert errors.is_rerun("env_error") and errors.is_rerun("timeout") and errors.is_rerun("from_a_newer_harness")
    assert not errors.is_final("policy_unreachable") and not errors.is_policy_fault("env_error")


def test_adapter_exceptions_carry_their_kind_through_the_loop():
    bench = FakeBenchmark()
    spec = bench.episodes(BenchSelection(tasks=(0,), trials=1, max_steps=5), run_seed=7)[0]
    unreachable = run_episode(bench.make_env(spec), ScriptedPolicy(raise_exc=errors.PolicyUnreachableFault("gone")),
                              spec, PROTOCOL)
    assert unreachable.error.kind == "policy_unreachable" and unreachable.success is None

    class SkippingEnv(type(bench.make_env(spec))):
        def reset(self, spec):
            raise errors.SkipEpisode("assets not installed")

    skipped = run_episode(SkippingEnv(0), ScriptedPolicy(), spec, PROTOCOL)
    assert skipped.error.kind == "skipped"
    crashed = run_episode(bench.make_env(spec), ScriptedPolicy(chunk=np.full((1, 7), np.inf, np.float32)), spec,
                          PROTOCOL)
    assert crashed.error.kind == "nan_action" and errors.blame_of(crashed.error.kind) is errors.Blame.POLICY


def test_disk_full_and_permission_errors_are_one_line_bugs_keep_tracebacks():
    msg, code = errors.one_line(OSError(errno.ENOSPC, "No space left on device", "runs/x/episodes.jsonl"))
    assert code == 2 and msg.startswith("the disk is full (runs/x/episodes.jsonl)") and "resume" in msg
    assert errors.one_line(PermissionError(errno.EACCES, "Permission denied", "runs"))[0].startswith("permission")
    assert errors.one_line(ValueError("a bug")) is None and errors.one_line(OSError(errno.EPIPE, "pipe")) is None


def test_a_ray_worker_that_cannot_start_is_one_line_without_its_traceback():
    from vla_harness.harness.runners.ray_scheduler import WorkerStartError, _start_message

    ray_text = "The actor died because of an error raised in its creation task\n  File \"x.py\"\nValueError: bad"
    message, code = errors.one_line(WorkerStartError(_start_message(RuntimeError(ray_text))))
    assert code == 2 and "\n" not in message and message.startswith("Ray worker could not start: The actor died")
