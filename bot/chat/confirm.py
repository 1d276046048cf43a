"""Preview first, then Confirm: the shared flow of /broadcast, /move and /cancel.

A command that changes what attendees see builds a preview with :func:`preview`: the message as it
will look, plus Confirm / Cancel buttons carrying a token (``confirm <token>``, ``drop <token>``).
Confirming runs the handler registered for the preview's kind with :func:`on_confirm`. Nothing
happens before Confirm; a preview left alone expires after ten minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.chat import confirmations
from bot.chat.messages import Button, Line, Reply, ReplyBuilder
from bot.chat.registry import Context, UsageError, command

Confirmer = Callable[[Context, dict[str, Any]], Reply]
_CONFIRMERS: dict[str, Confirmer] = {}


def on_confirm(kind: str) -> Callable[[Confirmer], Confirmer]:
    """Register what confirming a ``kind`` preview does."""

    def register_confirmer(handler: Confirmer) -> Confirmer:
        _CONFIRMERS[kind] = handler
        return handler

    return register_confirmer


def preview(ctx: Context, kind: str, payload: dict[str, Any], lines: list[Line]) -> Reply:
    """Store the preview and show it with Confirm / Cancel; audited as ``previewed``."""
    token = confirmations.create(ctx.session, kind=kind, who=ctx.request.address, payload=payload, now=ctx.now)
    ctx.outcome = "previewed"
    minutes = int(confirmations.TTL.total_seconds() // 60)
    b = ReplyBuilder(list(lines)).blank().line(ctx.t("confirm.expires", minutes=minutes))
    buttons = (
        (Button(ctx.t("confirm.button"), f"confirm {token}"), Button(ctx.t("confirm.cancel_button"), f"drop {token}")),
    )
    return b.build(buttons=buttons)


@command("confirm", organizer_only=True, exclusive=True)  # a move or cancellation applies the schedule
def confirm(ctx: Context) -> Reply:
    """Carry out a preview (its Confirm button).

    Taking the preview and carrying it out share one savepoint: when the change is refused (a
    usage error, e.g. a clash that appeared since the preview), the preview stays pending.
    """
    savepoint = ctx.session.begin_nested()
    try:
        taken = confirmations.take(ctx.session, ctx.args.strip(), ctx.request.address, ctx.now)
        if taken is None or taken.kind not in _CONFIRMERS:
            raise UsageError("confirm.gone")
        ctx.outcome = f"confirmed {taken.kind}"
        reply = _CONFIRMERS[taken.kind](ctx, taken.payload)
    except UsageError:
        savepoint.rollback()
        raise
    savepoint.commit()
    return reply


@command("drop", organizer_only=True)
def drop(ctx: Context) -> Reply:
    """Discard a preview (its Cancel button); the preview message is replaced."""
    now = ctx.now
    taken = confirmations.take(ctx.session, ctx.args.strip(), ctx.request.address, now, status=confirmations.DROPPED)
    if taken is None:
        raise UsageError("confirm.gone")
    ctx.outcome = f"cancelled {taken.kind}"
    return ReplyBuilder().line(ctx.t("confirm.dropped")).build(edit=ctx.from_button)
