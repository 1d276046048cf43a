"""What /move and /cancel show before Confirm: the talk, where it is and will be, who is told; and undo.

Undoing drops one part of the talk's override (its move, or its cancellation), so the talk goes
back to what the content files say for that part.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chat.confirm import preview
from bot.chat.messages import Line, Reply, Span, bold
from bot.chat.registry import Context, UsageError
from bot.features.schedule.refusals import check_clashes
from bot.programme import overrides
from bot.programme.cards import room_name, title_of
from bot.programme.content.loader import ContentError, load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_day, format_span
from bot.storage.models import Subscription


def replaced(programme: Programme, talk: Talk) -> Programme:
    """``programme`` with ``talk`` in place of the talk with its id."""
    return overrides.rebuild(programme, (talk if t.id == talk.id else t for t in programme.talks))


def where(ctx: Context, talk: Talk) -> dict[str, str]:
    """The talk's day and time (``when``) and room, as the organizer reads them."""
    programme = ctx.programme
    when = "—"
    if talk.start is not None:
        day = format_day(talk.start.astimezone(programme.tz).date(), ctx.lang)
        when = f"{day} {format_span(talk.start, talk.end, programme.tz)}"
    return {"when": when, "room": room_name(programme, talk.room, ctx.lang)}


def subscriber_count(ctx: Context, talk_id: int) -> int:
    """How many subscribers a change of the talk notifies."""
    return ctx.session.scalar(select(func.count()).where(Subscription.talk_id == talk_id)) or 0


def head(ctx: Context, key: str, talk: Talk) -> list[Line]:
    """A preview's first lines: what it does, and the talk."""
    return [(bold(ctx.t(key)),), (bold(f"#{talk.id} {title_of(talk, ctx.lang)}"),)]


def _content_talk(ctx: Context, talk_id: int) -> Talk:
    """The talk as the content files have it (for undo)."""
    try:
        files = load_content(ctx.settings.content, ctx.settings.content_limits)
    except ContentError as err:
        raise UsageError("undo.files_broken", error=str(err.problems[0])[:300]) from None
    talk = files.talk(talk_id)
    if talk is None:
        raise UsageError("undo.not_in_files", id=talk_id)
    return talk


def undone(ctx: Context, talk_id: int, part: str) -> Talk:
    """The talk as it will be once ``part`` (``move`` or ``cancel``) of its override is undone."""
    current = overrides.get(ctx.session, talk_id)
    if current is None or (part == "move" and not current.moves) or (part == "cancel" and not current.cancelled):
        raise UsageError("undo.nothing_move" if part == "move" else "undo.nothing_cancel", id=talk_id)
    content = _content_talk(ctx, talk_id)
    kept = (
        overrides.Override(talk_id, None, None, None, current.cancelled, current.set_by, current.set_at)
        if part == "move"
        else overrides.Override(
            talk_id, current.start, current.end, current.room, False, current.set_by, current.set_at
        )
    )
    return overrides.applied(content, kept)


def undo_preview(ctx: Context, talk: Talk, part: str, force: bool) -> Reply:
    """Preview undoing ``part`` (``move`` or ``cancel``) of the talk's override."""
    restored = undone(ctx, talk.id, part)
    lines = head(ctx, "move.undo_preview" if part == "move" else "cancel.undo_preview", talk)
    if part == "move":
        lines.append((Span(ctx.t("schedule.from", **where(ctx, talk))),))
        lines.append((Span(ctx.t("schedule.to", **where(ctx, restored))),))
    else:
        lines.append((Span(ctx.t("schedule.at", **where(ctx, restored))),))
    lines += check_clashes(ctx, replaced(ctx.programme, restored), talk.id, force)
    lines.append((Span(ctx.t("schedule.notices", count=subscriber_count(ctx, talk.id))),))
    return preview(ctx, f"{part}_undo", {"talk": talk.id, "force": force}, lines)
