"""/rate: stars for a talk once it has started, and the optional comment that follows.

``/rate 12`` shows the rating card; its star buttons carry ``rate 12 <n>``. A star records (or
changes) the rating and edits the card in place to show it; in a private chat it then asks for a
comment: the user's next plain message (see :mod:`bot.chat.awaited`), with a Skip button.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.chat import awaited
from bot.chat.grammar import parse_number, talk_id_arg
from bot.chat.messages import Reply, ReplyBuilder
from bot.chat.registry import Context, UsageError, command
from bot.features.feedback import ratings as feedback
from bot.features.feedback.push import prompt_reply, stars_text
from bot.i18n import t
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_when

COMMENT = "comment"
COMMENT_WAIT = timedelta(minutes=30)


def _talk(ctx: Context, arg: str) -> Talk:
    talk = ctx.programme.talk(talk_id_arg(ctx, arg, "rate.usage"))
    assert talk is not None  # talk_id_arg checked it exists
    if talk.cancelled:
        raise UsageError("rate.cancelled", id=talk.id)
    if not feedback.ratable(talk, ctx.now):
        when = format_when(talk.start, ctx.programme.tz, ctx.lang) if talk.start else "—"
        raise UsageError("rate.not_yet", id=talk.id, when=when)
    return talk


@command("rate", help_key="help.rate", usage="<id> [1-5]", order=35)
def rate(ctx: Context) -> Reply:
    """Show a talk's rating card, or record ``/rate <id> <stars>`` (a star button)."""
    words = ctx.args.split()
    if not words or len(words) > 2:
        raise UsageError("rate.usage")
    talk = _talk(ctx, words[0])
    if len(words) == 1:
        current = feedback.mine(ctx.session, ctx.user.id, talk.id)
        return prompt_reply(talk, ctx.lang, chosen=current.stars if current else None)
    stars = parse_number(words[1])
    if stars is None or stars not in feedback.STARS:
        raise UsageError("rate.bad_stars", arg=words[1][:10], usage=ctx.t("rate.usage"))
    now = ctx.now
    feedback.rate(ctx.session, ctx.user.id, talk.id, stars, now)
    asking = not ctx.request.is_group  # comments are private: never asked for in a shared chat
    if asking:
        awaited.expect(ctx.session, ctx.request, COMMENT, str(talk.id), now, ttl=COMMENT_WAIT)
    card = prompt_reply(talk, ctx.lang, chosen=stars, asking=asking, edit=ctx.from_button)
    return _with_notice(card, ctx.t("rate.saved", stars=stars_text(stars)))


def _with_notice(reply: Reply, notice: str) -> Reply:
    return dataclasses.replace(reply, notice=notice)


@awaited.awaits(COMMENT, max_chars=feedback.COMMENT_CHARS)
def comment(ctx: Context, pending: awaited.Pending, text: str) -> Reply:
    """The comment after a star: attached to the rating."""
    talk_id = int(pending.target)
    if not feedback.set_comment(ctx.session, ctx.user.id, talk_id, text, ctx.now):
        return ReplyBuilder().line(ctx.t("rate.no_rating", id=talk_id)).build()
    return ReplyBuilder().line(ctx.t("rate.comment_saved", id=talk_id)).build()


@awaited.on_skip(COMMENT)
def skip_comment(ctx: Context, target: str, was_pending: bool) -> Reply:
    """Skip: the card shows the rating with thanks, no comment asked."""
    talk_id = parse_number(target)
    talk = ctx.programme.talk(talk_id) if talk_id is not None else None
    current = feedback.mine(ctx.session, ctx.user.id, talk.id) if talk is not None else None
    if talk is None or current is None:
        return ReplyBuilder().line(t(ctx.lang, "prompts.skipped")).build(edit=True)
    return prompt_reply(talk, ctx.lang, chosen=current.stars, edit=True)
