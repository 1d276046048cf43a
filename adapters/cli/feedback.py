"""``confbot feedback export``: every rating and comment, for the organizers' spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import build_core
from bot.settings import Settings

app = typer.Typer(help="Talk ratings and comments.", no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv (default) or json.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Every rating and comment with its talk and the talk's time; no user ids."""
    from bot.features.feedback.ratings import export as export_ratings

    if fmt not in ("csv", "json"):
        raise typer.BadParameter("csv or json", param_hint="--format")
    core = build_core(Settings())
    try:
        text = export_ratings(core, fmt)
    finally:
        core.close()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}", err=True)
