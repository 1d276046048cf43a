"""What the ``confbot`` commands share: building the core, and the platforms' configured send rates."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from adapters.cli.content import content_errors_exit
from adapters.cli.db import database_errors_exit
from bot.chat.messages import Address, Reply
from bot.core import Core
from bot.delivery.sender import SendResult
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


@dataclass
class ConfiguredRate:
    """A configured platform's send rate (``Settings.send_rates``) in the shape fan-out planning
    reads from senders; a command line sends nothing itself, the running bot does."""

    platform: str
    rate_per_second: float

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Never called: planning only reads the rate."""
        return SendResult.failed("the command line sends nothing")


def plan_at_configured_rates(core: Core, settings: Settings) -> None:
    """Pushes planned by this command (moved talks' reminders) are spread at the configured platforms' rates."""
    core.send_rates.register(ConfiguredRate(platform, rate) for platform, rate in settings.send_rates.items())
