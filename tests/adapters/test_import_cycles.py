"""No adapter module imports itself back through others (lazy imports inside functions count too)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _module(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in (ROOT / "adapters").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        graph[name] = {m for m in imported if m in modules and m != name and not name.startswith(f"{m}.")}
    return graph


def test_the_adapters_import_graph_has_no_cycle() -> None:
    try:
        TopologicalSorter(_graph()).prepare()
    except CycleError as err:
        raise AssertionError(f"import cycle: {' -> '.join(err.args[1])}") from None
