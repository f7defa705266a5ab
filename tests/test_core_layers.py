"""The import graph: the core (harness/) imports nothing above it, and no two modules import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("harness", "benchmarks", "policies", "results", "recording", "cli")
ABOVE_CORE = set(PACKAGES) - {"harness"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every project module a file imports, at any depth (lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            names = [f"{module}.{a.name}" for a in node.names]  # `from pkg import submodule` names the submodule
        found.update(n for n in names if n.split(".")[0] in PACKAGES)
    return found


def _absolute(path: Path, module: str | None, level: int) -> str:
    """`from ..x import y` in pkg/sub/m.py is `from pkg.x import y`."""
    if level == 0:
        return module or ""
    package = _module_name(path).split(".")
    package = package if path.name == "__init__.py" else package[:-1]
    base = package[:len(package) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p): p for p in files}

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    return {m: {owner(i) for i in _imports(p)} - {m, ""} for m, p in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_core_imports_nothing_above_it():
    upward = sorted(f"{m} -> {i}" for m, deps in import_graph().items() if m.split(".")[0] == "harness"
                    for i in deps if i.split(".")[0] in ABOVE_CORE)
    assert not upward, "the core imports upward:\n" + "\n".join(upward)


def test_nothing_imports_the_cli():
    """The CLI is the composition root: families, results and the recorder never reach up into it."""
    upward = sorted(f"{m} -> {i}" for m, deps in import_graph().items() if m.split(".")[0] != "cli"
                    for i in deps if i.split(".")[0] == "cli")
    assert not upward, "imports of the CLI from below it:\n" + "\n".join(upward)


def test_only_the_cli_resolves_registry_names():
    """The registries (benchmarks/__init__.py, policies/__init__.py) are read by the composition root alone; every
    other module gets `module:attr` targets or built objects."""
    readers = sorted(f"{m} -> {i}" for m, deps in import_graph().items() if m.split(".")[0] != "cli"
                     for i in deps if i in ("benchmarks", "policies"))
    assert not readers, "registry lookups outside cli/:\n" + "\n".join(readers)


def test_no_import_circle():
    cycle = _cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_scan_sees_an_upward_import_and_a_circle():
    graph = {"harness.a": {"policies.b"}, "policies.b": {"harness.a"}}
    assert _cycle(graph) == ["harness.a", "policies.b", "harness.a"]
    assert _cycle({"x": {"y"}, "y": set()}) is None
    assert _absolute(ROOT / "harness" / "runners" / "local.py", "worker", 2) == "vla_harness.harness.worker"
    assert _absolute(ROOT / "harness" / "__init__.py", None, 1) == "harness"
