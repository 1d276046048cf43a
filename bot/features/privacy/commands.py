"""/mydata and /forget: an attendee sees, and erases, what the bot stores about them.

``/mydata [page]`` lists it, paged like the agenda. ``/forget`` asks first: its Erase button carries
``forget confirm <time>`` (valid for :data:`CONFIRM_FOR`, so an old message's button erases nothing),
Keep carries ``forget keep``. Both answer in a private chat only: the list names the person's data,
and a shared chat is no place to erase it from. After the erasure the person is a stranger again:
their next message makes a new user.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from bot.chat.grammar import parse_number
from bot.chat.messages import Button, Line, Reply, ReplyBuilder, bold
from bot.chat.registry import Context, UsageError, command
from bot.features.browse.agenda import paged_reply
from bot.features.privacy import erase, inventory
from bot.storage.models import Question, Rating, Subscription, Ticket

CONFIRM_FOR = timedelta(minutes=10)  # how long the Erase button of one /forget works
CONFIRM, KEEP = "confirm", "keep"


def _private(ctx: Context, name: str) -> None:
    if ctx.request.is_group:
        raise UsageError("privacy.private_only", name=name)


@command("mydata", help_key="help.mydata", usage="[page]", aliases=("我的数据",), order=91)
def mydata(ctx: Context) -> Reply:
    """Everything stored about the user, paged."""
    _private(ctx, "mydata")
    page = parse_number(ctx.args) if ctx.args.strip() else 1
    lines = inventory.report(ctx.session, ctx.user, ctx.programme, ctx.settings, ctx.lang)
    header: list[Line] = [(bold(ctx.t("mydata.title")),)]
    return paged_reply(ctx, header, lines, "mydata", page if page is not None else 1)


@command("forget", help_key="help.forget", aliases=("删除我的数据",), order=92)
def forget(ctx: Context) -> Reply:
    """Ask first; erase on the Erase button (``forget confirm <time>``), or keep (``forget keep``)."""
    _private(ctx, "forget")
    words = ctx.args.split()
    if words[:1] == [KEEP]:
        return ReplyBuilder().line(ctx.t("forget.kept")).build(edit=ctx.from_button)
    if words[:1] == [CONFIRM]:
        return _confirmed(ctx, words[1] if len(words) > 1 else "")
    return _ask(ctx)


def _ask(ctx: Context) -> Reply:
    session, user_id = ctx.session, ctx.user.id

    def count(column: InstrumentedAttribute[int]) -> int:
        return session.scalar(select(func.count()).where(column == user_id)) or 0

    b = ReplyBuilder().line(bold(ctx.t("forget.ask"))).blank()
    what = {
        "subscriptions": count(Subscription.user_id),
        "tickets": count(Ticket.user_id),
        "questions": count(Question.user_id),
    }
    b.line(ctx.t("forget.what", **what))
    b.line(ctx.t("forget.anonymous", ratings=count(Rating.user_id)))
    b.blank().line(ctx.t("forget.undo"))
    stamp = int(ctx.now.timestamp())
    buttons = (
        (
            Button(ctx.t("forget.button"), f"forget {CONFIRM} {stamp}"),
            Button(ctx.t("forget.keep_button"), f"forget {KEEP}"),
        ),
    )
    return b.build(buttons=buttons)


def _confirmed(ctx: Context, stamp: str) -> Reply:
    age = ctx.now.timestamp() - int(stamp) if stamp.isascii() and stamp.isdigit() else None
    if age is None or not 0 <= age <= CONFIRM_FOR.total_seconds():
        return ReplyBuilder().line(ctx.t("forget.expired")).build(edit=ctx.from_button)
    now, platform = ctx.now, ctx.user.platform
    erased = erase.erase(ctx.session, ctx.user, now)
    erase.record(ctx.session, platform, erased, now)
    return ReplyBuilder().line(ctx.t("forget.done")).build(edit=ctx.from_button)
