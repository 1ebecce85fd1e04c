"""The code has one way down: no import cycle inside zzgeo, and nothing imports a layer above its own.

The graph is drawn from the source (``ast``), so imports inside functions and under
``TYPE_CHECKING`` count too: a lazy import that runs back up is still a cycle in the design.
Layers, bottom to top (``../shared/reference/LAYOUT.md``):

base (errors, crs, io, store, layers, registers, spatial, config, theme_run, ...) → maps → one theme
package each (landprice, shelters, groundwater, children) → report → the command line (cli, base_cli,
demo). A theme never imports another theme.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
THEMES = ("landprice", "shelters", "groundwater", "children")
TOP = ("cli", "base_cli", "demo", "web", "catalogue", "__main__")  # catalogue: the messages of the whole CLI


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (SRC / "zzgeo").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _targets(module: str, path: Path, node: ast.AST, mods: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + [node.module or ""]) if node.level else node.module
        base = base.rstrip(".")
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
    out = []
    for name in names:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.append(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the zzgeo modules it imports anywhere in its source (lazily and for typing included)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module].update(t for t in _targets(module, path, node, mods) if t.startswith("zzgeo"))
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args
                  and isinstance(node.args[0], ast.Constant) and node.args[0].value in mods):
                graph[module].add(node.args[0].value)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> tuple[int, str]:
    """(level, group) of a module: 0 base, 1 maps, 2 a theme, 3 report, 4 the command line."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else ""
    if head in THEMES:
        return 2, head
    if head == "maps":
        return 1, head
    if head == "report":
        return 3, head
    if head in TOP:
        return 4, head
    return 0, "base"


def test_no_import_cycle_inside_zzgeo():
    assert cycles(import_graph()) == []


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_imports_a_layer_above_its_own_and_themes_stay_apart():
    upward = []
    for module, targets in import_graph().items():
        if module == "zzgeo":
            continue
        level, group = layer(module)
        for target in targets:
            t_level, t_group = layer(target)
            if t_level > level or (level == t_level == 2 and t_group != group):
                upward.append(f"{module} -> {target}")
    assert upward == []


@pytest.mark.parametrize("module", ["zzgeo.maps.builders", "zzgeo.report.bundle", "zzgeo.spatial.index"])
def test_the_graph_sees_the_real_imports(module):
    # a checker that sees no edges would pass every test above
    assert import_graph()[module]
