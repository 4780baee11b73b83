"""The package's shape: no import cycles, the layer order, the rules' one door, module size.

The import graph is read from the source with `ast`, not by importing anything, and counts every
import: at module level, under `if TYPE_CHECKING:`, and inside functions (a lazy import is still a
dependency; it only moves the failure to run time). Relative imports are resolved against the
importing module's package, and the top-level `rules/` folder is read as `claudelint.rules`, the
name it is installed under.

`from package import name` is an edge to the submodule `package.name` when there is one (the
package's `__init__` is run first, but the names used come from the submodule), and to the
package's `__init__` otherwise. So a package `__init__` that imports its own submodules is not a
cycle by itself; it is one only when a submodule takes a name from that `__init__`.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (("claudelint", ROOT / "claudelint"), ("claudelint.rules", ROOT / "rules"))
MAX_LINES = 800

# Layers, lowest first: a module imports only from its own layer and the layers below.
# `claudelint.rules` is outside the layers (the registry in `lint` loads it; the rules reach
# claudelint only through `claudelint.api`, checked by `test_rules_import_only_the_api`).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("claudelint", "claudelint.finding", "claudelint.settings", "claudelint.patterns"),
    ("claudelint.syntax",),
    ("claudelint.knowledge",),
    ("claudelint.analysis",),
    ("claudelint.lint",),
    ("claudelint.workspace",),
    ("claudelint.report",),
    ("claudelint.cli", "claudelint.server", "claudelint.api", "claudelint.__main__"),
)

# `claudelint.api` is what rules see: the rule-facing layers and the base types, nothing of
# the workspace, the reports or the command line.
API_MAY_IMPORT = ("claudelint.lint", "claudelint.analysis", "claudelint.knowledge",
                  "claudelint.finding")

RULE_DOORS = frozenset({"claudelint.api", "claudelint.rules._shared"})

# Layer violations tolerated for now, as (importer, imported) pairs. Empty it, don't grow it.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def _modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for prefix, folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            name = ".".join([prefix, *parts])
            found[name] = Module(name, path, is_package)
    return found


MODULES = _modules()


def _known(dotted: str) -> str | None:
    """The longest prefix of `dotted` that is one of our modules, if any."""
    while dotted:
        if dotted in MODULES:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def _imports(module: Module) -> set[str]:
    """Every claudelint module `module` imports, anywhere in its body."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (name := _known(alias.name)) is not None:
                    targets.add(name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    targets.add(f"{base}.{alias.name}")
                elif (name := _known(base)) is not None:
                    targets.add(name)
    targets.discard(module.name)
    return targets


GRAPH: dict[str, set[str]] = {name: _imports(module) for name, module in MODULES.items()}


def _cycle_from(start: str, members: set[str]) -> list[str]:
    """The shortest cycle through `start` inside the strongly connected set `members`."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(GRAPH[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{start} is on no cycle")


def _strongly_connected() -> list[set[str]]:
    """Tarjan's algorithm, iterative; only the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in sorted(GRAPH):
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def _layer(name: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or (prefix != "claudelint" and name.startswith(prefix + ".")):
                return level
    return None


def _under(name: str, prefixes: tuple[str, ...] | frozenset[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_graph_sees_the_code() -> None:
    # Guards the test itself: the reader finds the modules and the edges it is meant to judge.
    assert "claudelint.api" in MODULES and "claudelint.rules._shared" in MODULES
    assert "claudelint.lint.context" in GRAPH["claudelint.api"]
    unplaced = [n for n in MODULES if _layer(n) is None and not _under(n, ("claudelint.rules",))]
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"


def test_no_import_cycles() -> None:
    cycles = [" -> ".join(_cycle_from(min(c), c)) for c in _strongly_connected()]
    assert not cycles, "import cycles:\n  " + "\n  ".join(cycles)


def test_rules_import_only_the_api() -> None:
    bad = []
    for name, targets in GRAPH.items():
        if not _under(name, ("claudelint.rules",)):
            continue
        doors = {"claudelint.api"} if name == "claudelint.rules._shared" else RULE_DOORS
        for target in sorted(targets):
            if _under(target, ("claudelint.rules",)) and target not in RULE_DOORS:
                if name == "claudelint.rules":
                    continue  # the registry tuple imports each rule module
                bad.append(f"{name} -> {target}")
            elif not _under(target, ("claudelint.rules",)) and target not in doors:
                bad.append(f"{name} -> {target}")
    assert not bad, "rules must import claudelint only via claudelint.api:\n  " + "\n  ".join(bad)


def test_layer_order() -> None:
    bad = []
    for name, targets in GRAPH.items():
        level = _layer(name)
        if level is None:
            continue
        for target in sorted(targets):
            if _under(target, ("claudelint.rules",)):
                continue
            target_level = _layer(target)
            assert target_level is not None, target
            upward = target_level > level
            if name == "claudelint.api" and not _under(target, API_MAY_IMPORT):
                upward = True
            if upward and (name, target) not in KNOWN_VIOLATIONS:
                bad.append(f"{name} -> {target}")
    assert not bad, "imports against the layer order:\n  " + "\n  ".join(bad)


def test_known_violations_are_still_real() -> None:
    stale = sorted(f"{a} -> {b}" for a, b in KNOWN_VIOLATIONS if b not in GRAPH.get(a, set()))
    assert not stale, "KNOWN_VIOLATIONS lists imports that are gone: " + ", ".join(stale)


def test_module_size() -> None:
    big = []
    for module in MODULES.values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            big.append(f"{module.path.relative_to(ROOT)}: {lines} lines")
    assert not big, f"modules over {MAX_LINES} lines:\n  " + "\n  ".join(big)
