"""Schedule fixes from chat: /move and /cancel (each with undo), for organizers.

/move and /cancel preview first (``previews``); Confirm records the fix as an override on top of the
content files (``bot.programme.overrides``) and applies the new programme with ``apply_programme`` in the
same transaction, so every subscriber gets one notice, reminders are re-planned, and /agenda, /talk,
/ics and search show it once the request commits. A move that would clash (same room, or a speaker in
two talks at once) is refused naming the clashing talk, unless ``force`` is added (``refusals``).
/reload is in ``bot.features.schedule.reload``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.chat.confirm import on_confirm, preview
from bot.chat.confirmations import owner
from bot.chat.messages import Reply, ReplyBuilder, Span
from bot.chat.registry import Context, UsageError, command
from bot.features.schedule.changes import ChangeReport, ConflictRefused, ReloadRefused, apply_programme
from bot.features.schedule.previews import head, replaced, subscriber_count, undo_preview, undone, where
from bot.features.schedule.refusals import check_clashes, clash_text, refused, refusing
from bot.features.schedule.slots import new_slot, talk_and_force
from bot.programme import overrides
from bot.programme.content.schema import Talk


@command(
    "move",
    help_key="help.move",
    usage="<id> <HH:MM | day HH:MM> [room] [force] | <id> undo",
    organizer_only=True,
    order=86,
)
@refusing
def move(ctx: Context) -> Reply:
    """Preview moving a talk (keeping its duration), or undoing a move."""
    talk, rest, force = talk_and_force(ctx, "move.usage")
    if [r.lower() for r in rest] == ["undo"]:
        return undo_preview(ctx, talk, "move", force)
    if talk.cancelled:
        raise UsageError("move.is_cancelled", id=talk.id)
    start, end, room = new_slot(ctx, talk, rest)
    moved = talk.model_copy(update={"start": start, "end": end, "room": room or talk.room})
    if (moved.start, moved.room) == (talk.start, talk.room):
        raise UsageError("move.same", id=talk.id)
    lines = head(ctx, "move.preview", talk)
    lines.append((Span(ctx.t("schedule.from", **where(ctx, talk))),))
    lines.append((Span(ctx.t("schedule.to", **where(ctx, moved))),))
    lines += check_clashes(ctx, replaced(ctx.programme, moved), talk.id, force)
    lines.append((Span(ctx.t("schedule.notices", count=subscriber_count(ctx, talk.id))),))
    payload = {"talk": talk.id, "start": start.isoformat(), "end": end.isoformat(), "room": room, "force": force}
    return preview(ctx, "move", payload, lines)


@command("cancel", help_key="help.cancel", usage="<id> [force] | <id> undo", organizer_only=True, order=87)
@refusing
def cancel(ctx: Context) -> Reply:
    """Preview cancelling a talk, or undoing a cancellation."""
    talk, rest, force = talk_and_force(ctx, "cancel.usage")
    if [r.lower() for r in rest] == ["undo"]:
        return undo_preview(ctx, talk, "cancel", force)
    if rest:
        raise UsageError("cancel.usage")
    if talk.cancelled:
        raise UsageError("cancel.already", id=talk.id)
    lines = head(ctx, "cancel.preview", talk)
    lines.append((Span(ctx.t("schedule.at", **where(ctx, talk))),))
    lines.append((Span(ctx.t("schedule.notices", count=subscriber_count(ctx, talk.id))),))
    return preview(ctx, "cancel", {"talk": talk.id, "force": force}, lines)


def _apply(ctx: Context, talk: Talk, force: bool) -> ChangeReport:
    """Apply the programme with ``talk`` changed, in this request's transaction.

    A refusal (a clash, or the quarter rule, that appeared since the preview) is a usage error, so
    Confirm leaves the preview pending and nothing is written.
    """
    try:
        return apply_programme(ctx.host, replaced(ctx.programme, talk), force=force, source="chat", session=ctx.session)
    except ConflictRefused as err:
        name, place = clash_text(ctx, err.conflicts[0], talk.id)
        raise UsageError("conflict.refused", id=talk.id, other=name, where=place) from None
    except ReloadRefused as err:
        raise refused(f"{err.reason}. {ctx.t('schedule.force_hint')}") from None


def _current(ctx: Context, payload: dict[str, Any]) -> Talk:
    talk = ctx.programme.talk(int(payload["talk"]))
    if talk is None:
        raise UsageError("schedule.gone", id=payload["talk"])
    return talk


def _done(ctx: Context, key: str, talk: Talk, report: ChangeReport) -> Reply:
    return ReplyBuilder().line(ctx.t(key, id=talk.id, notices=report.notices, **where(ctx, talk))).build()


@on_confirm("move")
def confirm_move(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Record the move and apply it: one "moved" notice per subscriber."""
    talk = _current(ctx, payload)
    start, end = datetime.fromisoformat(payload["start"]), datetime.fromisoformat(payload["end"])
    moved = talk.model_copy(update={"start": start, "end": end, "room": payload["room"] or talk.room})
    report = _apply(ctx, moved, bool(payload.get("force")))
    now = ctx.now
    who = owner(ctx.request.address)
    overrides.set_move(ctx.session, talk.id, start=start, end=end, room=moved.room, who=who, now=now)  # room pinned too
    return _done(ctx, "move.done", moved, report)


@on_confirm("cancel")
def confirm_cancel(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Record the cancellation and apply it: one "cancelled" notice per subscriber."""
    talk = _current(ctx, payload)
    report = _apply(ctx, talk.model_copy(update={"cancelled": True}), bool(payload.get("force")))
    overrides.set_cancelled(ctx.session, talk.id, who=owner(ctx.request.address), now=ctx.now)
    return _done(ctx, "cancel.done", talk, report)


def _confirm_undo(ctx: Context, payload: dict[str, Any], part: str) -> Reply:
    talk = _current(ctx, payload)
    restored = undone(ctx, talk.id, part)
    report = _apply(ctx, restored, bool(payload.get("force")))
    overrides.clear(ctx.session, talk.id, part, who=owner(ctx.request.address), now=ctx.now)
    return _done(ctx, "move.undone" if part == "move" else "cancel.undone", restored, report)


@on_confirm("move_undo")
def confirm_move_undo(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Drop the move: back to the content files' time and room, one notice per subscriber."""
    return _confirm_undo(ctx, payload, "move")


@on_confirm("cancel_undo")
def confirm_cancel_undo(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Drop the cancellation: the talk is back on, one notice per subscriber."""
    return _confirm_undo(ctx, payload, "cancel")
