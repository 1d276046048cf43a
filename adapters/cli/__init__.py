"""The ``confbot`` command line: chat, run, and the content tools (import, check, export, reload)."""

from __future__ import annotations

from adapters.cli.main import app, main

__all__ = ["app", "main"]
