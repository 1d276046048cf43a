"""The core never imports a platform SDK or server; adapters use only the core's public surface."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what only adapters may use: platform SDKs, HTTP servers and clients, rate limiters, the CLI toolkit
FORBIDDEN_IN_CORE = (
    "telegram",
    "slack_bolt",
    "slack_sdk",
    "starlette",
    "uvicorn",
    "aiohttp",
    "aiolimiter",
    "typer",
    "adapters",
)
# the core's public surface for adapters: the seam, the core object, settings, texts, the command
# list (for platform menus) and the push runtime with its sender contract
PUBLIC = {
    "bot.core",
    "bot.chat.messages",
    "bot.settings",
    "bot.i18n",
    "bot.chat.files",  # a user's forwarded file as a line of text, where the platform can't show the file
    "bot.chat.groups",  # which group or channel messages the bot takes (the rest is chatter)
    "bot.chat.ports",  # what the core may ask a platform (may this user have the bot post in that chat?)
    "bot.chat.registry",
    "bot.delivery.sender",
    "bot.delivery.runtime",
    # operations: the readiness checks, the metrics page and the update log context the HTTP server
    # and the handlers serve and set
    "bot.ops.health",
    "bot.ops.metrics",
    "bot.ops.logcontext",
    # platforms with rules of their own (WeChat): first deliveries, messaging windows, typed letters,
    # shared credentials, each one transaction the adapter calls off the loop
    "bot.platforms",
    "bot.chat.choices",  # the letters that stand for buttons on text-only platforms
    "bot.chat.push_notes",  # what a platform's pushes cannot promise, said on /subscribe
}
# the command line is the tooling side: it builds cores and reads, imports and writes content files
# (and `confbot content sync` runs one poll of the live schedule sync; `confbot feedback export`
# writes the ratings; `confbot db` migrates the schema)
PUBLIC_FOR_CLI = PUBLIC | {
    "bot.features.feedback.ratings",
    "bot.features.helpdesk.tickets",
    "bot.factory",
    "bot.programme.content",
    "bot.features.schedule.changes",
    "bot.features.schedule.sync",
    "bot.features.organizer.stats",
    "bot.features.organizer.commands",
    "bot.storage.db",
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from bot.ops import logcontext" uses the module bot.ops.logcontext, not the package
            modules = [f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")]
            names += modules or [node.module]
    return names


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module or package of this repository."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _allowed(module: str, surface: set[str]) -> bool:
    """``module`` is in ``surface``; the content package counts with all its modules."""
    return module in surface or ("bot.programme.content" in surface and module.startswith("bot.programme.content."))


def test_bot_package_imports_no_platform_sdk_server_or_cli_toolkit() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "bot").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN_IN_CORE
    ]
    assert offenders == []


def test_adapters_use_only_the_public_surface_of_the_core() -> None:
    offenders = []
    for path in (ROOT / "adapters").rglob("*.py"):
        surface = PUBLIC_FOR_CLI if "cli" in path.relative_to(ROOT / "adapters").parts else PUBLIC
        offenders += [
            f"{path.relative_to(ROOT)}: {name}"
            for name in _imports(path)
            if name.split(".")[0] == "bot" and not _allowed(name, surface)
        ]
    assert offenders == []


def test_no_adapter_opens_a_database_session() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "adapters").rglob("*.py")
        if ".session(" in path.read_text(encoding="utf-8") or ".db." in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# --- the package layout (docs/architecture.md): no cycles, and the rules between the folders ---


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str) -> dict[str, Path]:
    """Every module of ``package`` (migrations aside: Alembic loads them by path), by dotted name."""
    base = ROOT / package.replace(".", "/")
    return {_module_name(p): p for p in base.rglob("*.py") if "migrations" not in p.parts}


def _targets(path: Path, module: str, known: set[str]) -> set[str]:
    """What ``module`` imports, counting every import: in functions and ``TYPE_CHECKING`` blocks too.

    ``from a.b import c`` imports the module ``a.b.c`` when there is one, else the module ``a.b``.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    resolved = set()
    for name in found:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            resolved.add(name)
    return resolved


def _graph(package: str) -> dict[str, set[str]]:
    modules = _modules(package)
    known = set(modules)
    return {name: _targets(path, name, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles (strongly connected components of more than one module), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def _imports_into(graph: dict[str, set[str]], source: str, target: str) -> list[str]:
    """Imports from modules under ``source`` into modules under ``target``, as ``a -> b``."""
    return [
        f"{module} -> {name}"
        for module, names in sorted(graph.items())
        if module == source or module.startswith(source + ".")
        for name in sorted(names)
        if name == target or name.startswith(target + ".")
    ]


def test_the_core_has_no_import_cycle_not_even_through_function_level_imports() -> None:
    assert _cycles(_graph("bot")) == []


def test_delivery_imports_no_feature_and_not_the_core() -> None:
    graph = _graph("bot")
    assert _imports_into(graph, "bot.delivery", "bot.features") == []
    assert _imports_into(graph, "bot.delivery", "bot.core") == []


def test_the_chat_seam_imports_neither_the_core_nor_a_feature() -> None:
    graph = _graph("bot")
    assert _imports_into(graph, "bot.chat", "bot.core") == []
    assert _imports_into(graph, "bot.chat", "bot.features") == []


def test_features_import_neither_the_core_nor_an_adapter() -> None:
    graph = _graph("bot")
    assert _imports_into(graph, "bot.features", "bot.core") == []
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "bot" / "features").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] == "adapters"
    ]
    assert offenders == []


# a feature's own files may share these names with another feature's: the folder says whose they are
FEATURE_FILE_NAMES = {"__init__.py", "commands.py", "push.py", "strings.py"}


def test_no_module_file_name_repeats_in_the_core() -> None:
    seen: dict[str, list[str]] = {}
    for path in (ROOT / "bot").rglob("*.py"):
        if "migrations" in path.parts or path.name in FEATURE_FILE_NAMES:
            continue
        seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}


def test_every_module_that_registers_something_is_enabled_or_imported_by_one() -> None:
    from bot.features import ENABLED

    graph = _graph("bot")
    reached: set[str] = set()
    todo = list(ENABLED)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += graph[name]
    registering = [
        name
        for name, path in _modules("bot").items()
        if any(
            mark in path.read_text(encoding="utf-8")
            for mark in ("\n@command(", "\n@renderer(", "\n@every(", "\n@service(", "\n@after_dispatch")
        )
    ]
    assert [name for name in registering if name not in reached] == []


def test_the_adapters_have_no_import_cycle() -> None:
    assert _cycles(_graph("adapters")) == []
