"""``confbot helpdesk list``: the open helpdesk tickets, oldest first, for an organizer at a shell."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.common import build_core
from bot.settings import Settings

app = typer.Typer(help="Helpdesk tickets.", no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@app.command("list")
def list_open(
    lang: Annotated[str, typer.Option(help="Language of the output: zh or en.")] = "en",
) -> None:
    """Every open ticket, oldest first: who, when, what they wrote, and whether it reached an organizer."""
    from bot.features.helpdesk.tickets import listing_text

    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    core = build_core(Settings())
    try:
        typer.echo(listing_text(core, lang))
    finally:
        core.close()
