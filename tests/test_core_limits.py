"""House size limits (CONTRIBUTING.md): Python files at most 300 lines, functions at most 40 (the episode loop and the
Ray scheduler may take 60, as the design allows). A long file or function fails here with its path and line."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("harness", "cli", "benchmarks", "policies", "results", "recording", "scripts", "tests")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 40
LONGER_ALLOWED = {("harness/episode.py", "run_episode"): 60, ("harness/episode.py", "_play"): 60,
                  ("harness/runners/ray_scheduler.py", "run"): 60}


def python_files() -> list[Path]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


def function_lengths(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, length in lines, decorators included) of every function and method in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out.append((node.name, node.lineno, node.end_lineno - start + 1))
    return out


def test_the_check_sees_the_tree():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    assert {"harness/episode.py", "cli/main.py", "tests/test_core_limits.py"} <= names


def test_python_files_are_at_most_300_lines():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in python_files()
            if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES]
    assert not long, f"files over {MAX_FILE_LINES} lines (split them by responsibility):\n" + "\n".join(long)


def test_functions_are_at_most_40_lines():
    long = []
    for path in python_files():
        rel = path.relative_to(ROOT).as_posix()
        for name, line, length in function_lengths(path):
            if length > LONGER_ALLOWED.get((rel, name), MAX_FUNCTION_LINES):
                long.append(f"{rel}:{line} {name}: {length} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_length_check_counts_lines_and_decorators(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(45))
    sample = tmp_path / "sample.py"
    sample.write_text(f"@staticmethod\ndef long_one():\n{body}\n\ndef short_one():\n    return 1\n")
    assert sorted(function_lengths(sample)) == [("long_one", 2, 47), ("short_one", 49, 2)]
