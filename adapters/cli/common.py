"""What the ``confbot`` commands share: building the core, and the platforms' configured send rates."""

from __future__ import annotations

import typer

from adapters.cli.content import content_errors_exit
from adapters.cli.db import database_errors_exit
from bot.core import Core
from bot.settings import Settings


def build_core(settings: Settings) -> Core:
    """Build the core, turning content, database and schema errors into one clear line and exit code 1."""
    from bot.factory import create_core
    from bot.storage.db import SchemaBehind

    with content_errors_exit(), database_errors_exit():
        try:
            return create_core(settings)
        except SchemaBehind as err:
            typer.echo(f"CONFBOT_MIGRATE_ON_START is false and the {err}", err=True)
            raise typer.Exit(1) from None


def plan_at_configured_rates(core: Core, settings: Settings) -> None:
    """Pushes planned by this command (moved talks' reminders) are spread at the configured platforms' rates."""
    core.send_rates.configure(settings.send_rates)
