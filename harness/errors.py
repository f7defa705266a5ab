"""The one error taxonomy: errors a user can fix (one line, an exit code) and episode errors that carry blame.

Episode errors end one episode and are recorded with a kind; the kind's blame decides what the numbers do with it:
- `policy` (policy_error, nan_action, bad_action_shape): the policy's own fault. A final outcome: it counts as a
  failure in every success rate and in `compare`, is shown in its own column, and `resume` does not re-run it.
- `env` (env_error): the simulator or its assets broke. Not the policy's fault and not a failure: left out of the
  denominators and re-run by `resume`, like infrastructure.
- `infra` (worker_died, timeout, policy_unreachable): the machinery broke. Never a failure; re-run by `resume`.
- `skip` (skipped): the episode cannot run here at all (e.g. assets not installed). Final; in no denominator.
A kind this code does not know (a newer harness wrote it) is treated as `infra`: re-run, and `compare` refuses it.
This module imports nothing: every layer may use it.
"""

from __future__ import annotations

import errno
from enum import Enum
from typing import ClassVar


class UserError(Exception):
    """Something the user can fix (bad input, a run in use, a missing file): the CLI prints one line, no traceback."""

    exit_code: ClassVar[int] = 2


class ConfigError(UserError, ValueError):
    """A bad option, flag, config file or selection: the message names what was wrong and what is allowed."""


class ProtocolMismatch(UserError, RuntimeError):
    """Runs (or a run and this code) disagree on the benchmark protocol: their numbers are not comparable."""


class StopRun(UserError, RuntimeError):
    """Raised by a policy or benchmark to end the whole run: every runner stops scheduling, records what is in flight,
    and re-raises it (e.g. a remote policy with on_unreachable=stop). The episodes not started stay for `resume`."""


class Blame(str, Enum):
    POLICY = "policy"
    ENV = "env"
    INFRA = "infra"
    SKIP = "skip"


KIND_BLAME: dict[str, Blame] = {
    "policy_error": Blame.POLICY, "nan_action": Blame.POLICY, "bad_action_shape": Blame.POLICY,
    "env_error": Blame.ENV,
    "worker_died": Blame.INFRA, "timeout": Blame.INFRA, "policy_unreachable": Blame.INFRA,
    "skipped": Blame.SKIP,
}


def blame_of(kind: str) -> Blame:
    return KIND_BLAME.get(kind, Blame.INFRA)


def is_final(kind: str) -> bool:
    """An outcome `resume` keeps: the policy's own fault or a permanent skip."""
    return blame_of(kind) in (Blame.POLICY, Blame.SKIP)


def is_policy_fault(kind: str) -> bool:
    """Counts as a failure in success rates and in `compare`."""
    return blame_of(kind) is Blame.POLICY


def is_rerun(kind: str) -> bool:
    """Not the policy's fault and not final: left out of the numbers, re-run by `resume` (env and infra)."""
    return blame_of(kind) in (Blame.ENV, Blame.INFRA)


class EpisodeError(Exception):
    """Raised by an adapter to end the episode with this kind (instead of the loop's default for where it arose)."""

    kind: ClassVar[str] = "env_error"

    @property
    def blame(self) -> Blame:
        return blame_of(self.kind)


class PolicyFault(EpisodeError):
    kind = "policy_error"


class NanAction(PolicyFault):
    kind = "nan_action"


class BadActionShape(PolicyFault):
    kind = "bad_action_shape"


class EnvFault(EpisodeError):
    kind = "env_error"


class InfraFault(EpisodeError):
    kind = "worker_died"


class EpisodeTimeout(InfraFault):
    kind = "timeout"


class PolicyUnreachableFault(InfraFault):
    kind = "policy_unreachable"


class SkipEpisode(EpisodeError):
    kind = "skipped"


class MissingDependency(EnvFault, UserError, RuntimeError):
    """A package, simulator or asset this needs is not installed: one line saying how to get it. Before a run it is a
    user error; inside an episode it is the environment's (env_error: not a failure, `resume` re-runs it)."""


def kind_of(exc: BaseException, default: str) -> str:
    """The recorded kind of an exception that ended an episode: its own for an EpisodeError, else `default`."""
    return exc.kind if isinstance(exc, EpisodeError) else default


DISK_ERRNOS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
               errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
               errno.EROFS: "the file system is read-only"}


def one_line(exc: BaseException) -> tuple[str, int] | None:
    """(message, exit code) for an error the user can act on, None for a bug (which keeps its traceback)."""
    if isinstance(exc, UserError):
        return str(exc), exc.exit_code
    if isinstance(exc, FileNotFoundError):
        return str(exc), 2
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return f"a file name is too long ({str(exc.filename)[:80]}...): at most 255 bytes per folder or file name", 2
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        where = f" ({exc.filename})" if exc.filename else ""
        return (f"{DISK_ERRNOS[exc.errno]}{where}; every finished episode is on disk (after fixing it, "
                "`vla-harness resume RUN_DIR` finishes a run)"), 2
    return None
