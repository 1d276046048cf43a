"""The Skip button of an awaited text (``skip <purpose> <target>``, see :mod:`bot.chat.awaited`)."""

from __future__ import annotations

from bot.chat import awaited
from bot.chat.messages import Reply
from bot.chat.registry import Context, command


@command("skip")
def skip(ctx: Context) -> Reply | list[Reply]:
    """Stop waiting for the text a prompt asked for; a bare /skip drops whatever is awaited."""
    purpose, _, target = ctx.args.partition(" ")
    if not purpose:
        awaited.cancel(ctx.session, ctx.request)
        return awaited.skip(ctx, "", "")
    return awaited.skip(ctx, purpose, target.strip())
