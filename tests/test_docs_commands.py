"""Every `vla-harness ...` command shown in README.md and docs/*.md parses with today's CLI (issue #27 item 10):
argparse reads it as `--help` would, nothing runs. Doc notation is read as a reader would: `a|b` means one of them
(the first is tried), `[...]` marks an optional part (kept, brackets dropped), `...` repeats (dropped) or, after an
option, stands for its value. A command in a code block must parse whole; one quoted in a sentence may leave out
required arguments (it names a command or some of its options), but every option and value it shows must exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from vla_harness.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIX = re.compile(r"^(?:[A-Z_]+=\S+\s+)*(?:\.venv/bin/)?vla-harness(?:\s|$)")


def _code_lines(text: str) -> list[tuple[str, bool]]:
    """(line, fenced) for the lines of fenced blocks (continuations joined) and the inline code spans."""
    lines = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        lines += [(ln, True) for ln in block.replace("\\\n", " ").splitlines()]
    outside = re.sub(r"```.*?```", "", text, flags=re.S)
    return lines + [(span, False) for span in re.findall(r"`([^`\n]+)`", outside)]


def commands() -> list[tuple[str, str, bool]]:
    found = []
    for page in PAGES:
        for line, fenced in _code_lines(page.read_text(encoding="utf-8")):
            line = line.strip()
            if PREFIX.match(line):
                found.append((page.name, re.split(r"\s#\s|\s{2,}#", line)[0].strip(), fenced))
    return found


def argv_of(command: str) -> list[str]:
    out: list[str] = []
    for word in shlex.split(PREFIX.sub("", command, count=1)):
        word = word.strip("[]")
        if word.endswith("..."):
            if out and out[-1].startswith("-") and word == "...":
                out.append("VALUE")  # `--policy ...`: some value
            continue
        if word:
            out.append(word.split("|")[0] if "|" in word and "://" not in word else word)
    return out


def test_the_docs_show_commands():
    assert len(commands()) > 40  # the extraction found the docs' commands (a broken pattern finds none)


@pytest.mark.parametrize("page,command,fenced", commands())
def test_documented_command_parses(page, command, fenced, capsys):
    try:
        args = build_parser().parse_args(argv_of(command))
    except SystemExit as exc:
        if exc.code == 0:
            return  # --version, --help
        error = capsys.readouterr().err
        if not fenced and "the following arguments are required" in error:
            return  # a sentence naming the command or some options: what it shows exists
        pytest.fail(f"{page}: `{command}` does not parse (exit {exc.code}): {error.strip()[-300:]}")
    assert callable(args.func)
