"""Reading /move and /cancel arguments: the talk, ``force``, and the new day, time and room."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from bot.chat.grammar import parse_day, parse_number
from bot.chat.registry import Context, UsageError
from bot.programme.content.schema import Talk

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def _talk(ctx: Context, token: str, usage: str) -> Talk:
    """The talk named by ``token`` in the current programme (usage answer if none)."""
    talk_id = parse_number(unicodedata.normalize("NFKC", token).strip().lstrip("#"))
    if talk_id is None:
        raise UsageError(usage)
    talk = ctx.programme.talk(talk_id)
    if talk is None:
        ids = [t.id for t in ctx.programme.talks] or [0]
        raise UsageError("schedule.unknown_talk", id=talk_id, low=min(ids), high=max(ids))
    return talk


def talk_and_force(ctx: Context, usage: str) -> tuple[Talk, list[str], bool]:
    """``<id> rest... [force]`` → (talk, rest, force)."""
    tokens = unicodedata.normalize("NFKC", ctx.args).split()
    if not tokens:
        raise UsageError(usage)
    talk = _talk(ctx, tokens[0], usage)
    rest = tokens[1:]
    force = bool(rest) and rest[-1].lower() == "force"
    return talk, rest[:-1] if force else rest, force


def _room(ctx: Context, text: str) -> str:
    """A room by id or name (any case)."""
    wanted = text.strip().casefold()
    for room in ctx.programme.conference.rooms:
        if wanted in (room.id.casefold(), room.name.casefold(), (room.name_en or "").casefold()):
            return room.id
    rooms = ", ".join(r.id for r in ctx.programme.conference.rooms) or "—"
    raise UsageError("move.unknown_room", room=text[:40], rooms=rooms)


def new_slot(ctx: Context, talk: Talk, rest: list[str]) -> tuple[datetime, datetime, str | None]:
    """Parse ``[day] HH:MM [room]`` into the talk's new start, end (same duration) and room."""
    if talk.start is None or talk.end is None:
        raise UsageError("move.unscheduled", id=talk.id)
    at = next((i for i, tok in enumerate(rest) if _TIME.fullmatch(tok)), None)
    if at is None:
        if rest and re.search(r"\d", rest[-1]):
            raise UsageError("move.bad_time", time=rest[-1][:20])
        raise UsageError("move.usage")
    m = _TIME.fullmatch(rest[at])
    assert m is not None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise UsageError("move.bad_time", time=rest[at][:20])
    tz = ctx.programme.tz
    day_text = " ".join(rest[:at])
    if day_text:
        try:
            day = parse_day(ctx, day_text)
        except UsageError:
            day = None
        if day is None:
            days = ctx.programme.days()
            example = days[0].isoformat() if days else "2026-12-12"
            raise UsageError("move.bad_day", day=day_text[:20], count=len(days), example=example)
    else:
        day = talk.start.astimezone(tz).date()
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    room = _room(ctx, " ".join(rest[at + 1 :])) if rest[at + 1 :] else None
    return start, start + (talk.end - talk.start), room
