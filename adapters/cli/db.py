"""``confbot db``: migrate the schema as its own step, and say where it stands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from bot.storage.db import Database

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@contextmanager
def database_errors_exit() -> Iterator[None]:
    """A database that can't be reached (or refuses) is one line naming the variable, and exit code 1."""
    try:
        yield
    except SQLAlchemyError as err:
        first = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        typer.echo(f"cannot use the database (CONFBOT_DATABASE_URL): {type(err).__name__}: {first}", err=True)
        raise typer.Exit(1) from None


@contextmanager
def _database() -> Iterator[Database]:
    database = Database(Settings().database_url)
    try:
        with database_errors_exit():
            yield database
    finally:
        database.dispose()


@app.command()
def upgrade() -> None:
    """Migrate the schema to this release's head (safe while replicas start: they migrate one at a time)."""
    with _database() as database:
        before = database.migrate()  # what it found once it held the migration lock
        after = database.schema()
    if before == after.current:
        typer.echo(f"Already at head ({after.head}); nothing to do.")
    else:
        typer.echo(f"Upgraded the schema from {before or 'empty'} to {after.current}.")


@app.command()
def current() -> None:
    """Print the schema's revision and this release's head."""
    with _database() as database:
        state = database.schema()
    typer.echo(f"current: {state.current or 'none (empty database)'}")
    typer.echo(f"head:    {state.head}")


@app.command()
def check() -> None:
    """Exit 0 if the schema is at this release's head, 1 otherwise (for a deploy step or an init container)."""
    with _database() as database:
        state = database.schema()
    typer.echo(state.describe(), err=not state.at_head)
    if not state.at_head:
        raise typer.Exit(1)
