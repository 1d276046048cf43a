"""Refusing a schedule fix: a clash the current schedule doesn't have, or a change the reload rules refuse.

A clash found while previewing is answered as a normal reply (:class:`Refused`, caught by
:func:`refusing`) so that the audit log records its own outcome (``conflict``); one found on
Confirm is a usage error, so the preview stays pending and nothing is written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from bot.chat.messages import Line, Reply, ReplyBuilder, Span
from bot.chat.registry import Context, UsageError
from bot.programme.cards import room_name, speaker_name, title_of
from bot.programme.content import conflicts
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk


class Refused(Exception):
    """A refusal answered as a normal reply, so the audit log records its own outcome (``conflict``)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("refused")
        self.reply = reply


def refusing(handler: Callable[..., Reply]) -> Callable[..., Reply]:
    """Answer a :class:`Refused` with its reply."""

    @functools.wraps(handler)
    def run(*args: Any) -> Reply:
        try:
            return handler(*args)
        except Refused as refused:
            return refused.reply

    return run


def refuse(ctx: Context, outcome: str, key: str, **params: object) -> Refused:
    """A refusal answering ``key``, recorded in the audit log as ``outcome``."""
    ctx.outcome = outcome
    return Refused(ReplyBuilder().line(ctx.t(key, **params)).build())


def refused(reason: str) -> UsageError:
    """The answer "refused, nothing was changed", and why."""
    return UsageError("schedule.refused", reason=reason)


def clash_text(ctx: Context, clash: conflicts.Conflict, talk_id: int) -> tuple[str, str]:
    """(the clashing item named, where they clash) for the organizer."""
    other = clash.other(talk_id)
    if other is None:  # a single-talk conflict (a missing room, a day off the conference): as the check says it
        return str(clash), clash.detail
    if isinstance(other, Talk):
        name = f"#{other.id} “{title_of(other, ctx.lang)}”"
    else:
        name = ctx.t("conflict.break", title=title_of(other, ctx.lang))
    if clash.kind == "room":
        where = ctx.t("conflict.room", room=room_name(ctx.programme, clash.where, ctx.lang))
    else:
        speaker = ctx.programme.speaker(clash.where)
        where = ctx.t("conflict.speaker", speaker=speaker_name(speaker, ctx.lang) if speaker else clash.where)
    return name, where


def check_clashes(ctx: Context, new: Programme, talk_id: int, force: bool) -> list[Line]:
    """Refuse a clash the current schedule doesn't have (unless ``force``); lines naming kept ones."""
    # /move names only real rooms and conference days: the clashes it can add are with other items
    clashes = [c for c in conflicts.added(new, ctx.programme) if c.involves(talk_id) and c.second is not None]
    if clashes and not force:
        name, where = clash_text(ctx, clashes[0], talk_id)
        raise refuse(ctx, "conflict", "conflict.refused", id=talk_id, other=name, where=where)
    lines: list[Line] = []
    if clashes:
        lines.append((Span(ctx.t("schedule.forced")),))
        for clash in clashes:
            name, where = clash_text(ctx, clash, talk_id)
            lines.append((Span(f"• {name} ({where})"),))
    return lines
