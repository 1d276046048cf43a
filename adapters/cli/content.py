"""``confbot content``: check, import and export conference content."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError

from adapters.cli.seed import parse_seed
from bot.content import conflicts, remote
from bot.content.frab import export_json, import_json, import_xml
from bot.content.ical import calendar_bytes
from bot.content.loader import ContentError, load_content
from bot.content.programme import Programme
from bot.content.schema import ContentFile
from bot.content.yamlio import dump_content
from bot.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False)


def _configured(path: Path | None) -> Path:
    return path if path is not None else Settings().content


@contextmanager
def content_errors_exit() -> Iterator[None]:
    """Turn a ContentError into its file/place report on stderr and exit code 1."""
    try:
        yield
    except ContentError as err:
        typer.echo(f"{len(err.problems)} problem(s) in the content:\n{err}", err=True)
        raise typer.Exit(1) from None


def _load(path: Path) -> Programme:
    with content_errors_exit():
        return load_content(path)


def _fetch(url: str) -> Programme:
    """A published schedule, fetched once (``content check https://…``)."""
    try:
        fetched = asyncio.run(_get(url))
    except remote.RemoteError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from None
    assert fetched.body is not None
    with content_errors_exit():
        return remote.parse(fetched.body, url)


async def _get(url: str) -> remote.Fetched:
    async with httpx.AsyncClient() as client:
        return await remote.fetch(client, url)


@app.command()
def check(
    path: Annotated[str | None, typer.Argument(help="Content directory or file, or a schedule.json/.xml URL.")] = None,
) -> None:
    """Validate content; print a summary, or every problem (schedule conflicts too) with its file and place.

    Conflicts: two talks in one room at once, one speaker in two places at once, a talk in a room
    the conference does not have, a talk outside the conference days (first_day..last_day).
    """
    if path is not None and path.startswith(("http://", "https://")):
        programme = _fetch(path)
        with content_errors_exit():
            if problems := remote.problems_of(programme, path):
                raise ContentError(problems)
        target: Path | str = path
    else:
        target = _configured(Path(path) if path is not None else None)
        programme = _load(target)
        clashes = conflicts.find(programme)
        if clashes:
            with content_errors_exit():
                raise ContentError(conflicts.as_problems(clashes, target))
    draft = " (draft programme)" if programme.conference.draft else ""
    typer.echo(
        f"OK: {target}: {len(programme.talks)} talks, {len(programme.speakers)} speakers, "
        f"{len(programme.breaks)} breaks, {len(programme.days())} days{draft}"
    )


def read_any(file: Path) -> ContentFile:
    """Detect the format (schedule.json, schedule.xml, or the call-for-talks markdown)."""
    text = file.read_text(encoding="utf-8")
    suffix = file.suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith("{"):
        return import_json(text)
    if suffix == ".xml" or stripped.startswith("<"):
        return import_xml(text)
    return parse_seed(text)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="schedule.json, schedule.xml or a call-for-talks .md page.")],
    output: Annotated[Path | None, typer.Option(help="Directory to write YAML into (default content/<id>).")] = None,
) -> None:
    """Convert a frab/pretalx schedule or the call-for-talks page into content YAML."""
    try:
        content = read_any(file)
    except FileNotFoundError:
        typer.echo(f"{file}: no such file", err=True)
        raise typer.Exit(1) from None
    except (ValueError, KeyError, TypeError, ValidationError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: cannot import: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    assert content.conference is not None
    target = output or Path("content") / content.conference.id
    written = dump_content(content, target)
    scheduled = sum(1 for t in content.talks if t.start is not None)
    typer.echo(
        f"Imported {len(content.talks)} talks ({scheduled} scheduled) and {len(content.speakers)} speakers "
        f"into {target} ({', '.join(p.name for p in written)}). Check it with: confbot content check {target}"
    )


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="json (frab schedule.json) or ics.")] = "json",
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
    path: Annotated[Path | None, typer.Option(help="Content directory or file.")] = None,
) -> None:
    """Export the programme as a frab-compatible schedule.json or an iCalendar file."""
    programme = _load(_configured(path))
    if format == "json":
        data = json.dumps(export_json(programme), ensure_ascii=False, indent=2).encode() + b"\n"
    elif format == "ics":
        data = calendar_bytes(programme)
    else:
        typer.echo(f"unknown format {format!r}: use json or ics", err=True)
        raise typer.Exit(2)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output} ({len(data)} bytes)", err=True)
