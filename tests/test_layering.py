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
}
# the command line is the tooling side: it builds cores and reads, imports and writes content files
# (and `confbot content sync` runs one poll of the live schedule sync; `confbot feedback export`
# writes the ratings; `confbot db` migrates the schema)
PUBLIC_FOR_CLI = PUBLIC | {
    "bot.features.feedback.ratings",
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
