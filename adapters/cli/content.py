"""``confbot content``: check, import and export conference content."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.cli.seed import parse_seed
from bot.programme.content import conflicts, remote
from bot.programme.content.bounded import ContentLimits, Refused, check_file, read_bytes
from bot.programme.content.frab import export_json
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.importers import (
    ScheduleError,
    fetch_schedule,
    is_url,
    load_schedule,
    named,
    previous_ids,
)
from bot.programme.content.importers.fetch import MAX_BYTES as MAX_SCHEDULE_BYTES
from bot.programme.content.importers.fetch import FetchPolicy
from bot.programme.content.loader import ContentError, Problem, load_content, load_content_file
from bot.programme.content.programme import Programme
from bot.programme.content.schema import ContentFile
from bot.programme.content.yamlio import dump_content
from bot.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None)


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


def _settings() -> Settings | None:
    """The settings from the environment, or None when they do not parse (defaults are used)."""
    try:
        return Settings()
    except ValidationError:
        return None


def _limits() -> ContentLimits:
    settings = _settings()
    return settings.content_limits if settings is not None else ContentLimits()


def _load(path: Path) -> Programme:
    with content_errors_exit():
        return load_content(path, _limits())


def _is_schedule(target: str) -> bool:
    """A URL or a schedule export (JSON or XML) rather than content YAML. Only a regular file is
    opened (non-blocking): a FIFO or a device is left to the loader, which refuses it by name."""
    if is_url(target):
        return True
    path = Path(target)
    try:
        check_file(path, None)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (Refused, OSError):
        return False
    try:
        head = os.read(fd, 512).lstrip(b"\xef\xbb\xbf \t\r\n")
    finally:
        os.close(fd)
    return head[:1] in (b"{", b"[", b"<")


@app.command()
def check(
    path: Annotated[str | None, typer.Argument(help="Content directory or file, or a schedule file or URL.")] = None,
    token: Annotated[str | None, typer.Option(help="pretalx API token, for a private event.")] = None,
) -> None:
    """Validate content; print a summary, or every problem (schedule conflicts too) with its file and place.

    A schedule file or URL (any format ``content import`` reads) is imported in memory first.
    Conflicts: two talks in one room at once, one speaker in two places at once, a talk in a room
    the conference does not have, a talk outside the conference days (first_day..last_day).
    """
    source = path if path is not None else str(_configured(None))
    schedule = _is_schedule(source)
    if schedule:
        content = _import(source, token=token)
        with content_errors_exit():
            programme = Programme.from_content(content)
    else:
        programme = _load(Path(source))
    if not programme.talks:
        with content_errors_exit():
            raise ContentError([Problem(source, None, "talks", "no talks: the programme is empty")])
    if schedule:
        with content_errors_exit():
            if problems := remote.problems_of(programme, source):
                raise ContentError(problems)
    elif clashes := conflicts.find(programme):
        with content_errors_exit():
            raise ContentError(conflicts.as_problems(clashes, Path(source)))
    draft = " (draft programme)" if programme.conference.draft else ""
    typer.echo(
        f"OK: {source}: {len(programme.talks)} talks, {len(programme.speakers)} speakers, "
        f"{len(programme.breaks)} breaks, {len(programme.days())} days{draft}"
    )


def read_any(
    source: str,
    *,
    token: str | None = None,
    timezone: str | None = None,
    previous: dict[str, int] | None = None,
    name: str | None = None,
    name_en: str | None = None,
) -> ContentFile:
    """Read a schedule URL or file in any supported format (detected from its content), or the
    call-for-talks markdown page; ``name`` / ``name_en`` name the conference."""
    if is_url(source):
        settings = _settings()
        return fetch_schedule(
            source,
            token,
            timezone=timezone,
            previous=previous,
            policy=settings.schedule_fetch_policy if settings is not None else FetchPolicy(),
            name=name,
            name_en=name_en,
        )
    if not os.path.lexists(source):
        raise FileNotFoundError(source)
    try:  # a regular file only, at most the size a fetched schedule may have
        data = read_bytes(Path(source), limit=MAX_SCHEDULE_BYTES)
    except Refused as exc:
        raise ScheduleError(source, exc.message) from None
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[", b"<"):
        return load_schedule(data, source, timezone=timezone, previous=previous, name=name, name_en=name_en)
    return named(parse_seed(data.decode("utf-8")), source, name, name_en)


def _import(
    source: str,
    *,
    token: str | None = None,
    timezone: str | None = None,
    previous: dict[str, int] | None = None,
    name: str | None = None,
    name_en: str | None = None,
) -> ContentFile:
    """``read_any``, or a one-line error and exit 1."""
    try:
        return read_any(source, token=token, timezone=timezone, previous=previous, name=name, name_en=name_en)
    except FileNotFoundError:
        typer.echo(f"{source}: no such file", err=True)
    except ScheduleError as exc:
        typer.echo(f"cannot import {exc}", err=True)
    except (ValueError, KeyError, TypeError, ValidationError, UnicodeDecodeError, OSError) as exc:
        typer.echo(f"{source}: cannot import: {str(exc).splitlines()[0]}", err=True)
    raise typer.Exit(1)


def _previous(directory: Path) -> dict[str, int]:
    """The talk ids an earlier import into ``directory`` gave out (none if it holds no content)."""
    if not directory.is_dir():
        return {}
    try:
        return previous_ids(load_content_file(directory, _limits()))
    except ContentError:
        return {}


@app.command("import")
def import_(
    source: Annotated[
        str, typer.Argument(help="A schedule file or URL (any supported format), or a call-for-talks .md page.")
    ],
    output: Annotated[Path | None, typer.Option(help="Directory to write YAML into (default content/<id>).")] = None,
    token: Annotated[str | None, typer.Option(help="pretalx API token, for a private event.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone for a schedule that names none and no city it names gives, e.g. Europe/Brussels."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The conference's name (default: the schedule's).")] = None,
    name_en: Annotated[str | None, typer.Option(help="The conference's English name, when --name is not.")] = None,
) -> None:
    """Convert a c3voc/frab/Pentabarf/pretalx/COSCUP schedule or the call-for-talks page into content YAML.

    Importing again into the same directory keeps every talk's number (by its guid or pretalx code)
    and numbers new talks after the old ones, so subscriptions survive an updated schedule."""
    named_as = {"name": name, "name_en": name_en}
    previous = _previous(output) if output is not None else {}
    content = _import(source, token=token, timezone=timezone, previous=previous, **named_as)
    conference = content.conference
    assert conference is not None
    target = output or Path("content") / conference.id
    if output is None and not previous and target.is_dir():
        content = _import(source, token=token, timezone=timezone, previous=_previous(target), **named_as)
    written = dump_content(content, target)
    scheduled = sum(1 for t in content.talks if t.start is not None)
    typer.echo(
        f"Imported {len(content.talks)} talks ({scheduled} scheduled) and {len(content.speakers)} speakers "
        f"into {target} ({', '.join(p.name for p in written)}), times in {conference.timezone}. "
        f"Check it with: confbot content check {target}"
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
