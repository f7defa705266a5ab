"""`vla-harness` entry point: each subcommand lives in cli/commands/<name>.py (one line here to add one)."""

from __future__ import annotations

import argparse
import importlib
import sys

from vla_harness.harness.errors import one_line

COMMANDS = [
    "vla_harness.cli.commands.eval_cmd",
    "vla_harness.cli.commands.resume_cmd",
    "vla_harness.cli.commands.list_cmd",
    "vla_harness.cli.commands.report_cmd",
    "vla_harness.cli.commands.view_cmd",
    "vla_harness.cli.commands.show_perturbations_cmd",
    "vla_harness.cli.commands.export_cmd",
    "vla_harness.cli.commands.compare_cmd",
    "vla_harness.cli.commands.plan_cmd",
    "vla_harness.cli.commands.vision_check_cmd",
    "vla_harness.training.vla_jepa.train_cmd",
    "vla_harness.cli.commands.show_env_cmd",
    "vla_harness.cli.commands.serve_cmd",
    "vla_harness.cli.commands.record_cmd",
    "vla_harness.cli.commands.dataset_cmd",
    "vla_harness.cli.commands.check_cmd",
    "vla_harness.cli.commands.assets_cmd",
    "vla_harness.cli.commands.env_cmd",
]


class Version(argparse.Action):
    """`--version`: the package version and the git revision of the checkout (asked only when wanted)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and git revision, then exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from vla_harness.harness import __version__
        from vla_harness.harness.manifest import git_revision

        print(f"vla-harness {__version__} (git {git_revision() or 'unknown'})")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vla-harness", description="Evaluate vision-language-action policies.")
    parser.add_argument("--version", action=Version)
    sub = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMANDS:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted: every finished episode is on disk; `vla-harness resume RUN_DIR` finishes the run",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001
        shown = one_line(exc)  # errors a user can fix (harness.errors.UserError, disk full, ...): one line
        if shown is None:
            raise
        print(f"error: {shown[0]}", file=sys.stderr)
        return shown[1]


if __name__ == "__main__":
    sys.exit(main())
