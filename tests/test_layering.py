"""The core never imports a platform SDK."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "adapters")


def test_bot_package_imports_no_platform_sdk() -> None:
    root = Path(__file__).resolve().parent.parent / "bot"
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
