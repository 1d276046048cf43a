"""The Skip button of an awaited text (``skip <purpose> <target>``, see :mod:`bot.prompts`)."""

from __future__ import annotations

from bot import prompts
from bot.commands import Context, command
from bot.messages import Reply


@command("skip")
def skip(ctx: Context) -> Reply | list[Reply]:
    """Stop waiting for the text a prompt asked for; a bare /skip drops whatever is awaited."""
    purpose, _, target = ctx.args.partition(" ")
    if not purpose:
        prompts.cancel(ctx.session, ctx.request)
        return prompts.skip(ctx, "", "")
    return prompts.skip(ctx, purpose, target.strip())
