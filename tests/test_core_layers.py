"""The import graph: the core (harness/) imports nothing above it, and no two modules import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("harness", "benchmarks", "policies", "results", "recording", "training", "cli")
ABOVE_CORE = (set(PACKAGES) - {"harness"}) | {"api"}
ROOTS = ("cli", "api")  # composition roots: the CLI and the public Python API (vla_harness/, scanned as `api`)
NAMESPACE = "vla_harness."


def _module_name(path: Path) -> str:
    """Room-relative: harness/x.py is `harness.x` (installed as vla_harness.harness.x); vla_harness/y.py is `api.y`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    parts = ["api", *parts[1:]] if parts[0] == "vla_harness" else parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room_relative(name: str) -> str:
    """vla_harness.harness.x -> harness.x; vla_harness.evaluate (the API package) -> api.evaluate."""
    if name == "vla_harness" or name.startswith(NAMESPACE):
        rest = name[len(NAMESPACE):] if name != "vla_harness" else ""
        return rest if rest.split(".")[0] in PACKAGES else ".".join(["api", rest] if rest else ["api"])
    return name


def _imports(path: Path) -> set[str]:
    """Every project module a file imports, at any depth (lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            names = [f"{module}.{a.name}" for a in node.names]  # `from pkg import submodule` names the submodule
        names = [_room_relative(n) for n in names]
        found.update(n for n in names if n.split(".")[0] in (*PACKAGES, "api"))
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
    files = [p for pkg in (*PACKAGES, "vla_harness") for p in (ROOT / pkg).rglob("*.py")]
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


def _edges(importer, imported) -> list[str]:
    return sorted(f"{m} -> {i}" for m, deps in import_graph().items() if importer(m) for i in deps if imported(i))


def _room(name: str) -> str:
    return name.split(".")[0]


def test_nothing_imports_the_composition_roots():
    """The CLI and the Python API compose everything: families, results and the recorder never reach up into them
    (the API may use the CLI's resolver; the CLI never imports the API)."""
    upward = _edges(lambda m: _room(m) not in ROOTS, lambda i: _room(i) in ROOTS)
    upward += _edges(lambda m: _room(m) == "cli", lambda i: _room(i) == "api")
    assert not upward, "imports of a composition root from below it:\n" + "\n".join(upward)


def test_only_the_composition_roots_resolve_registry_names():
    """The registries (benchmarks/__init__.py, policies/__init__.py) are read by the composition roots alone; every
    other module gets `module:attr` targets or built objects."""
    readers = _edges(lambda m: _room(m) not in ROOTS, lambda i: i in ("benchmarks", "policies"))
    assert not readers, "registry lookups outside cli/ and the API:\n" + "\n".join(readers)


def test_only_the_cli_imports_training():
    """Training (VLA-JEPA's trainer, gates, probes) is a wing of its own: eval-time adapters never pull it in."""
    found = _edges(lambda m: _room(m) not in ("cli", "training"), lambda i: _room(i) == "training")
    assert not found, "training imported outside the CLI:\n" + "\n".join(found)


def test_adapters_do_not_import_the_recorder():
    found = _edges(lambda m: _room(m) == "policies", lambda i: _room(i) in ("recording", "training"))
    assert not found, "policies/ imports the recorder or training:\n" + "\n".join(found)


def test_clients_and_server_never_import_each_other():
    """Both speak policies/wire/ (and the core's codec); neither reaches into the other."""
    found = _edges(lambda m: m.startswith("policies.clients"), lambda i: i.startswith("policies.server"))
    found += _edges(lambda m: m.startswith("policies.server"), lambda i: i.startswith("policies.clients"))
    assert not found, "client/server imports:\n" + "\n".join(found)


TRANSPORTS = ("policies.clients.transport", "policies.clients.http")  # the only client modules doing I/O
NETWORK = ("websockets", "urllib.request", "urllib.error", "http.client", "socket", "requests")


def test_wires_leave_the_network_to_the_transports():
    """A client for a new server is a wire (encode, decode, spec) and one registry line: only the transports open
    connections, retry and time out (policies/clients/transport.py, http.py)."""
    found = []
    for path in (ROOT / "policies" / "clients").glob("*.py"):
        if _module_name(path) in TRANSPORTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{_module_name(path)} -> {n}" for n in names if n.split(".")[0] in NETWORK or n in NETWORK]
    assert not found, "network code outside the transports:\n" + "\n".join(found)


def test_no_import_circle():
    cycle = _cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_scan_sees_an_upward_import_and_a_circle():
    graph = {"harness.a": {"policies.b"}, "policies.b": {"harness.a"}}
    assert _cycle(graph) == ["harness.a", "policies.b", "harness.a"]
    assert _cycle({"x": {"y"}, "y": set()}) is None
    assert _absolute(ROOT / "harness" / "runners" / "local.py", "worker", 2) == "harness.worker"
    assert _room_relative("vla_harness.harness.worker") == "harness.worker"
    assert _room_relative("vla_harness.evaluate") == "api.evaluate"
    assert _absolute(ROOT / "harness" / "__init__.py", None, 1) == "harness"
