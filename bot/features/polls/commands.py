"""``/poll <talk id> <question> | <option> | <option> …``, ``/poll results <poll id>`` and the
``poll_vote`` action the vote buttons (and Telegram's native poll answers) run.

An organizer or a speaker linked to the talk (``CONFBOT_SPEAKERS``) makes a poll; it is posted at once
to the chats announcing the talk's room (``/announce here <room>`` or ``all``): a native poll on
Telegram, text with a button per option elsewhere. See :mod:`.polls`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot import audit
from bot.chat.labels import fit
from bot.chat.messages import Button, PollSpec, Reply, ReplyBuilder, bold
from bot.chat.registry import Context, UsageError, command
from bot.delivery.renderers import PushContext, renderer
from bot.features.polls import polls
from bot.programme.cards import room_name, title_of

NAME = "poll"
VOTE = "poll_vote"
BAR = 10  # the width of a result bar


def _record(ctx: Context, outcome: str) -> None:
    audit.record(ctx.session, ctx.request.address, NAME, ctx.args, outcome, ctx.now)


def results_reply(ctx: Context, tally: polls.Tally) -> Reply:
    """The merged result: each option with its votes and a bar, the total, whether it is closed."""
    poll = tally.poll
    talk = ctx.programme.talk(poll.talk_id)
    b = ReplyBuilder().line(bold(ctx.t("poll.results_title", id=poll.id, question=poll.question)))
    if talk is not None:
        b.line(f"#{talk.id} {title_of(talk, ctx.lang)}")
    for index, (option, count) in enumerate(zip(poll.options, tally.counts, strict=True), start=1):
        filled = round(BAR * count / tally.total) if tally.total else 0
        b.line(f"{index}. {option}: {count} " + "█" * filled + "░" * (BAR - filled))
    b.line(ctx.t("poll.total", count=tally.total))
    is_open = ctx.now < poll.closes_at
    b.line(ctx.t("poll.is_open" if is_open else "poll.is_closed"))
    return b.build(buttons=_buttons(poll.id, list(poll.options)) if is_open else ())  # vote from the result


@command(NAME, help_key="help.poll", usage="<talk id> <question> | <option> | <option>", order=88)
def poll(ctx: Context) -> Reply:
    """Make a poll on a talk (organizers and its linked speakers), or show a poll's result (anyone)."""
    first, _, rest = ctx.args.strip().partition(" ")
    if first.casefold() in ("results", "result", "结果"):
        found = polls.find(ctx.session, rest.strip().lstrip("#"))
        if found is None:
            raise UsageError("poll.unknown", id=rest.strip() or "—")
        return results_reply(ctx, polls.tally(ctx.session, found))
    talk = ctx.programme.talk(int(first.lstrip("#"))) if first.lstrip("#").isdigit() else None
    if talk is None:
        raise UsageError("poll.usage")
    if not (ctx.is_organizer or ctx.speakers.speaks_at(ctx.request.address, talk)):
        _record(ctx, "refused")
        return ReplyBuilder().line(ctx.t("poll.not_allowed", id=talk.id)).build()
    try:
        question, options = polls.parse(rest)
        who = f"{ctx.request.address.platform}:{ctx.request.address.user_id}"
        made = polls.create(ctx.session, talk, question, options, who, ctx.now)
    except polls.PollError as err:
        _record(ctx, "usage")
        raise UsageError(err.key, **err.params) from None
    posted = polls.post(ctx.session, made, talk.room, ctx.now)
    _record(ctx, "ok")
    room = room_name(ctx.programme, talk.room, ctx.lang) if talk.room else "—"
    b = ReplyBuilder().line(bold(ctx.t("poll.created", id=made.id, question=question)))
    b.line(f"#{talk.id} {title_of(talk, ctx.lang)}")
    b.line(ctx.t("poll.posted", count=posted, room=room))
    return b.line(ctx.t("poll.results_hint", id=made.id)).build(buttons=_buttons(made.id, options))


def _buttons(poll_id: int, options: list[str]) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(fit(f"{i + 1}. {o}"), f"{VOTE} {poll_id} {i}"),) for i, o in enumerate(options))


@command(VOTE, usage="<poll id> <option number>")  # the vote buttons and native poll answers: no help line
def poll_vote(ctx: Context) -> Reply:
    """One vote (``<poll> <0-based option>``; ``none`` takes it back); the poll is ``12`` or
    ``telegram:<Telegram's poll id>``."""
    words = ctx.args.split()
    if len(words) != 2:
        raise UsageError("poll.unknown", id=ctx.args.strip() or "—")
    found = polls.find(ctx.session, words[0])
    if found is None:
        raise UsageError("poll.unknown", id=words[0])
    option = None if words[1] == "none" else int(words[1]) if words[1].isdigit() else -1
    address = ctx.request.address
    try:
        polls.vote(ctx.session, found, address.platform, address.user_id, option, ctx.now)
    except polls.PollError as err:
        raise UsageError(err.key, **err.params) from None
    if option is None:
        return ReplyBuilder().line(ctx.t("poll.vote_taken_back")).build()
    said = ctx.t("poll.voted", option=found.options[option])
    return dataclasses.replace(ReplyBuilder().line(said).build(), notice=said)


@renderer(polls.KIND)
def render(push: PushContext) -> Reply | None:
    """The poll in a room chat: the talk, the question and a button per option; a native poll where
    the platform has one."""
    talk, lang = push.talk(), push.lang
    if talk is None or talk.cancelled:
        return None
    poll_id, question = int(push.payload["poll"]), str(push.payload["question"])
    options = [str(o) for o in push.payload["options"]]
    b = ReplyBuilder().line(bold("📊 " + question)).line(f"#{talk.id} {title_of(talk, lang)}")
    closes = datetime.fromisoformat(str(push.payload["closes_at"]))
    spec = PollSpec(poll_id, question, tuple(options), closes)
    return dataclasses.replace(b.build(buttons=_buttons(poll_id, options)), poll=spec)
