"""Awaiting a user's next plain message: a comment after a rating, a question, a helpdesk answer.

A feature asks for a free-text answer with :func:`expect`: one row per (platform, user, chat) in
``pending_inputs``, with a purpose, a target id (what the text is for) and an expiry. It is stored
in the database, so it survives a restart and any replica can take the answer. The user's next
*plain* message in that chat (no command, no button) is handed to the handler registered for the
purpose with :func:`awaits`, exactly once (:func:`take` is one atomic DELETE … RETURNING).

- A typed command in between drops the pending input (the user moved on); a button press does not.
- A "Skip" / "Cancel" button (:func:`skip_button`) carries ``skip <purpose> <target>``: it drops the
  pending input only if it is still that one, and runs the purpose's :func:`on_skip` handler.
- A text longer than the purpose's ``max_chars`` is refused with a clear answer and the input stays
  pending, so the user can send a shorter one.
- The chat is ``Request.channel`` in a group, else ``""``: all of a user's private contexts on one
  platform (a Telegram private chat; a Slack DM, App Home or button in a DM) are one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.chat.grammar import parse_command
from bot.chat.messages import Button, Reply, ReplyBuilder, Request
from bot.i18n import t
from bot.storage.db import insert_for
from bot.storage.models import PendingInput

if TYPE_CHECKING:
    from bot.chat.registry import Context


DEFAULT_TTL = timedelta(minutes=15)
DEFAULT_MAX_CHARS = 500
PRIVATE = ""  # the chat key of a user's private chat / DM / App Home


@dataclass(frozen=True)
class Pending:
    """An awaited input, taken or looked at (a plain snapshot)."""

    purpose: str
    target: str
    expires_at: datetime


InputHandler = Callable[["Context", Pending, str], Reply | list[Reply]]
SkipHandler = Callable[["Context", str, bool], Reply | list[Reply]]


@dataclass
class Purpose:
    """What is done with an awaited text, and how long it may be."""

    name: str
    handler: InputHandler
    max_chars: int = DEFAULT_MAX_CHARS
    skip: SkipHandler | None = None


PURPOSES: dict[str, Purpose] = {}


def awaits(purpose: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> Callable[[InputHandler], InputHandler]:
    """Register the handler of ``purpose``'s awaited text: ``handler(ctx, pending, text)``."""

    def register(handler: InputHandler) -> InputHandler:
        existing = PURPOSES.get(purpose)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"input purpose {purpose!r} registered twice")
        PURPOSES[purpose] = Purpose(purpose, handler, max_chars, existing.skip if existing else None)
        return handler

    return register


def on_skip(purpose: str) -> Callable[[SkipHandler], SkipHandler]:
    """Register what ``purpose``'s Skip button answers: ``handler(ctx, target, was_pending)``.

    Register it after :func:`awaits` for the same purpose.
    """

    def register(handler: SkipHandler) -> SkipHandler:
        PURPOSES[purpose].skip = handler
        return handler

    return register


def chat_of(request: Request) -> str:
    """Where the awaited text must come from: the group, the web page, or the user's private place."""
    return request.channel or request.page or PRIVATE


def _key(request: Request) -> tuple[str, str, str]:
    return request.address.platform, request.address.user_id, chat_of(request)


def _where(request: Request) -> ColumnElement[bool]:
    platform, user_id, chat = _key(request)
    return and_(PendingInput.platform == platform, PendingInput.user_id == user_id, PendingInput.chat_id == chat)


def expect(
    session: Session, request: Request, purpose: str, target: str, now: datetime, *, ttl: timedelta = DEFAULT_TTL
) -> None:
    """Await the user's next plain message in this chat for ``purpose`` (replacing any other)."""
    if purpose not in PURPOSES:
        raise ValueError(f"no handler for input purpose {purpose!r}")
    session.execute(delete(PendingInput).where(PendingInput.expires_at <= now))
    platform, user_id, chat = _key(request)
    values = {"purpose": purpose, "target": target[:64], "created_at": now, "expires_at": now + ttl}
    insert = insert_for(session)
    stmt = insert(PendingInput).values(platform=platform, user_id=user_id, chat_id=chat, **values)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["platform", "user_id", "chat_id"], set_=values),
        execution_options={"synchronize_session": False},
    )


def peek(session: Session, request: Request, now: datetime) -> Pending | None:
    """The unexpired input awaited from this user in this chat, left in place."""
    row = session.scalars(select(PendingInput).where(_where(request), PendingInput.expires_at > now)).one_or_none()
    return Pending(row.purpose, row.target, row.expires_at) if row is not None else None


def take(session: Session, request: Request, now: datetime) -> Pending | None:
    """Remove and return the input awaited here (None if none or expired): one replica gets it."""
    row = session.execute(
        delete(PendingInput)
        .where(_where(request))
        .returning(PendingInput.purpose, PendingInput.target, PendingInput.expires_at),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if row is None or row.expires_at <= now:
        return None
    return Pending(row.purpose, row.target, row.expires_at)


def cancel(session: Session, request: Request, purpose: str | None = None, target: str | None = None) -> bool:
    """Drop the awaited input (only if it is ``purpose``/``target`` when given); whether one was."""
    stmt = delete(PendingInput).where(_where(request))
    if purpose is not None:
        stmt = stmt.where(PendingInput.purpose == purpose)
    if target is not None:
        stmt = stmt.where(PendingInput.target == target)
    result = session.execute(stmt.returning(PendingInput.purpose), execution_options={"synchronize_session": False})
    return result.first() is not None


def is_plain(request: Request, text: str) -> bool:
    """A message the user typed that is no command (and not a button or a background request)."""
    return request.action is None and not request.background and bool(text) and parse_command(text) is None


def skip_button(label: str, purpose: str, target: str) -> Button:
    """A button that stops waiting for ``purpose``'s text (its action stays below 64 bytes)."""
    return Button(label, f"skip {purpose} {target}")


def answer(ctx: Context, text: str, now: datetime) -> list[Reply] | None:
    """Hand a plain message to the input awaited from its sender here, if any; None if none is.

    A text over the purpose's limit is refused and the input stays awaited until its expiry.
    """
    pending = take(ctx.session, ctx.request, now)
    purpose = PURPOSES.get(pending.purpose) if pending is not None else None
    if pending is None or purpose is None:
        return None
    if len(text) > purpose.max_chars:
        expect(ctx.session, ctx.request, pending.purpose, pending.target, now, ttl=pending.expires_at - now)
        return [ReplyBuilder().line(t(ctx.lang, "prompts.too_long", length=len(text), limit=purpose.max_chars)).build()]
    result = purpose.handler(ctx, pending, text)
    return result if isinstance(result, list) else [result]


def skip(ctx: Context, purpose: str, target: str) -> list[Reply]:
    """The Skip button of ``purpose``/``target``: stop waiting (if still waiting for that) and say so."""
    was_pending = cancel(ctx.session, ctx.request, purpose, target)
    known = PURPOSES.get(purpose)
    if known is None or known.skip is None:
        return [ReplyBuilder().line(t(ctx.lang, "prompts.skipped")).build(edit=True)]
    result = known.skip(ctx, target, was_pending)
    return result if isinstance(result, list) else [result]
