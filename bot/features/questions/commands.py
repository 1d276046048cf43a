"""Questions from the audience: /ask, /questions (👍 votes), moderation buttons, the stage list."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.chat import awaited
from bot.chat.grammar import id_words, parse_number, talk_id_arg
from bot.chat.messages import Button, Reply, ReplyBuilder, bold, italic
from bot.chat.registry import Context, UsageError, command
from bot.features.questions import asking as questions
from bot.features.questions import push as qa_posts
from bot.programme.cards import title_of
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_when

LISTED = 10  # questions one /questions shows (the rest are counted)
STAGE = 5  # questions /questions <id> top shows


QUESTION = "question"  # the awaited-input purpose of "❓ Ask"
PROMPT_WAIT = timedelta(minutes=10)
MODERATIONS = ("hide", "answered", "pin", "unpin", "reopen")


def is_moderator(ctx: Context, talk: Talk) -> bool:
    """An organizer, or one of the talk's speakers linked with ``CONFBOT_SPEAKERS``."""
    return ctx.is_organizer or ctx.speakers.speaks_at(ctx.request.address, talk)


def _talk(ctx: Context, talk_id: int) -> Talk:
    talk = ctx.programme.talk(talk_id)
    assert talk is not None  # talk_id_arg checked it
    return talk


@command("ask", help_key="help.ask", usage="<id> <question>", aliases=("提问",), order=45)
def ask(ctx: Context) -> Reply:
    """Send a question to a talk, anonymously to other attendees; without a text (the card's
    "❓ Ask" button) the user's next plain message is the question."""
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        raise UsageError("ask.usage")
    talk = _talk(ctx, talk_id_arg(ctx, parts[0], "ask.usage"))
    if len(parts) == 1:
        return _prompt(ctx, talk)
    return _submit(ctx, talk, parts[1])


def _prompt(ctx: Context, talk: Talk) -> Reply:
    """Await the question as the user's next plain message, with a Cancel button."""
    now = ctx.now
    refused = questions.closed(talk, now)
    if refused is not None:
        return _refusal(ctx, talk, refused)
    awaited.expect(ctx.session, ctx.request, QUESTION, str(talk.id), now, ttl=PROMPT_WAIT)
    b = ReplyBuilder().line(ctx.t("ask.prompt", id=talk.id, title=title_of(talk, ctx.lang), limit=questions.MAX_CHARS))
    cancel = awaited.skip_button(ctx.t("ask.cancel"), QUESTION, str(talk.id))
    return b.build(buttons=((cancel,),))


@awaited.awaits(QUESTION, max_chars=questions.MAX_CHARS)
def awaited_question(ctx: Context, pending: awaited.Pending, text: str) -> Reply:
    """The plain message after "❓ Ask": the question."""
    talk_id = parse_number(pending.target)
    talk = ctx.programme.talk(talk_id) if talk_id is not None else None
    if talk is None:
        return ReplyBuilder().line(ctx.t("questions.unknown")).build()
    return _submit(ctx, talk, text)


@awaited.on_skip(QUESTION)
def cancel_question(ctx: Context, target: str, was_pending: bool) -> Reply:
    """Cancel: no question is sent."""
    return ReplyBuilder().line(ctx.t("ask.cancelled_prompt")).build(edit=True)


def _refusal(ctx: Context, talk: Talk, result: questions.Refused) -> Reply:
    at = format_when(result.at, ctx.programme.tz, ctx.lang) if result.at else ""
    limit = questions.MAX_CHARS if result.reason == "too_long" else questions.MAX_PER_TALK
    params = {"id": talk.id, "at": at, "seconds": result.seconds, "length": result.seconds, "limit": limit}
    return ReplyBuilder().line(ctx.t(f"ask.{result.reason}", **params)).build()


def _submit(ctx: Context, talk: Talk, text: str) -> Reply:
    result = questions.ask(ctx.session, ctx.user, talk, text, ctx.now)
    if isinstance(result, questions.Refused):
        return _refusal(ctx, talk, result)
    asked = sum(1 for q in questions.ranked(ctx.session, talk.id, ctx.user, states=_ALL) if q.mine)
    b = ReplyBuilder().line(
        ctx.t("ask.done", id=talk.id, title=title_of(talk, ctx.lang), n=asked, limit=questions.MAX_PER_TALK)
    )
    return b.build(buttons=((Button(ctx.t("help.questions"), f"questions {talk.id}"),),))


_ALL = ("open", "answered", "hidden")


@command("questions", help_key="help.questions", usage="<id> [top]", aliases=("qs", "问题"), order=46)
def list_questions(ctx: Context) -> Reply:
    """The talk's open questions ranked by votes; moderators see who asked and the moderation buttons."""
    words = id_words(ctx.args)
    top = bool(words) and words[-1].lower() in ("top", "stage", "热门")
    if top:
        words = words[:-1]
    page = 1
    if len(words) == 3 and words[1].lower() == "page":  # "questions 12 page 2": the "next page" button
        page, words = max(1, parse_number(words[2]) or 1), words[:1]
    if len(words) != 1:
        raise UsageError("questions.usage")
    talk = _talk(ctx, talk_id_arg(ctx, words[0], "questions.usage"))
    return stage_list(ctx, talk) if top else question_list(ctx, talk, page=page)


def question_list(
    ctx: Context, talk: Talk, *, edit: bool | None = None, notice: str | None = None, page: int = 1
) -> Reply:
    """The list with a 👍 button per question (and, for moderators, who asked and their buttons),
    ``LISTED`` questions a page, with previous/next buttons (``questions <id> page <n>``)."""
    moderator = is_moderator(ctx, talk)
    states = ("open", "answered") if moderator else ("open",)
    listed = questions.ranked(ctx.session, talk.id, ctx.user, states=states)
    b = ReplyBuilder().line(bold(ctx.t("questions.title", id=talk.id, title=title_of(talk, ctx.lang))))
    if moderator:
        b.line(italic(ctx.t("questions.moderator")))
    rows: list[tuple[Button, ...]] = []
    pages = max(1, -(-len(listed) // LISTED))
    page = min(page, pages)
    start = (page - 1) * LISTED
    for n, q in enumerate(listed[start : start + LISTED], start=start + 1):
        marks = ("📌 " if q.pinned else "") + ("✅ " if q.state == "answered" else "")
        b.blank().line(bold(f"{n}."), f" {marks}{q.text}", italic(f"  👍 {q.votes}"))
        row = [Button(f"👍 {n} · {q.votes}", f"vote {q.id}", selected=q.voted)]
        if moderator:
            b.line(italic(ctx.t("questions.asked_by", who=q.asker)))
            row += _moderation_buttons(ctx, q, n)
        rows.append(tuple(row))
    if not listed:
        b.line(ctx.t("questions.none", id=talk.id))
    elif len(listed) > start + LISTED:
        b.blank().line(italic(ctx.t("questions.more", n=len(listed) - start - LISTED)))
    if pages > 1:
        b.line(italic(ctx.t("page.of", page=page, count=pages)))
        pager = [(ctx.t("button.prev"), page - 1)] if page > 1 else []
        pager += [(ctx.t("button.next"), page + 1)] if page < pages else []
        rows.append(tuple(Button(label, f"questions {talk.id} page {n}") for label, n in pager))
    answered = questions.counts(ctx.session, talk.id).get("answered", 0)
    if answered and not moderator:
        b.line(italic(ctx.t("questions.answered_count", n=answered)))
    b.blank().line(italic(ctx.t("questions.footer", id=talk.id)))
    rows.append((Button(ctx.t("questions.refresh"), f"questions {talk.id}"),))
    reply = b.build(buttons=tuple(rows), edit=ctx.from_button if edit is None else edit)
    return dataclasses.replace(reply, notice=notice)


def _moderation_buttons(ctx: Context, q: questions.Ranked, n: int) -> list[Button]:
    if q.state == "answered":
        return [Button(f"{ctx.t('questions.btn_reopen')} {n}", f"moderate {q.id} reopen")]
    pin = "unpin" if q.pinned else "pin"
    return [
        Button(f"{ctx.t('questions.btn_hide')} {n}", f"moderate {q.id} hide"),
        Button(f"{ctx.t('questions.btn_answered')} {n}", f"moderate {q.id} answered"),
        Button(f"{ctx.t('questions.btn_' + pin)} {n}", f"moderate {q.id} {pin}"),
    ]


def stage_list(ctx: Context, talk: Talk) -> Reply:
    """What a session host reads from the stage: the top open questions, big and anonymous."""
    listed = questions.ranked(ctx.session, talk.id, ctx.user)[:STAGE]
    b = ReplyBuilder().line(bold(ctx.t("questions.stage", id=talk.id, title=title_of(talk, ctx.lang))))
    for n, q in enumerate(listed, start=1):
        b.blank().line(bold(f"{n}. {q.text}"), f"  👍 {q.votes}")
    if not listed:
        b.line(ctx.t("questions.none", id=talk.id))
    refresh = (Button(ctx.t("questions.refresh"), f"questions {talk.id} top"),)
    return b.build(buttons=(refresh,), edit=ctx.from_button)


def _question_arg(ctx: Context, usage: str) -> tuple[int, list[str]]:
    words = ctx.args.split()
    number = parse_number(words[0]) if words else None
    if number is None or number <= 0:
        raise UsageError(usage)
    return number, words[1:]


@command("vote")
def vote(ctx: Context) -> Reply:
    """The 👍 button: one vote per person per question; the list is redrawn in place."""
    question_id, _ = _question_arg(ctx, "questions.unknown")
    question = questions.get(ctx.session, question_id)
    talk = ctx.programme.talk(question.talk_id) if question else None
    if question is None or talk is None:
        return ReplyBuilder().line(ctx.t("questions.unknown")).build()
    before = {q.id for q in questions.ranked(ctx.session, talk.id, ctx.user) if q.voted}
    if questions.vote(ctx.session, ctx.user, question_id, ctx.now) is None:
        notice = ctx.t("questions.closed")
    else:
        notice = ctx.t("questions.already" if question_id in before else "questions.voted")
    return question_list(ctx, talk, edit=ctx.from_button, notice=notice)


@command("moderate")
def moderate(ctx: Context) -> Reply:
    """A moderation button (``moderate <question> hide|answered|pin|unpin|reopen``): moderators only."""
    question_id, rest = _question_arg(ctx, "questions.unknown")
    question = questions.get(ctx.session, question_id)
    talk = ctx.programme.talk(question.talk_id) if question else None
    if question is None or talk is None or not rest or rest[0] not in MODERATIONS:
        return ReplyBuilder().line(ctx.t("questions.unknown")).build()
    if not is_moderator(ctx, talk):
        ctx.outcome = "refused"
        refused = ReplyBuilder().line(ctx.t("questions.not_moderator")).build()
        return dataclasses.replace(refused, notice=ctx.t("questions.not_moderator"))
    action = rest[0]
    assert action in MODERATIONS
    questions.moderate(ctx.session, question_id, action)  # type: ignore[arg-type]
    return question_list(ctx, talk, edit=ctx.from_button, notice=ctx.t("questions.moderated"))


@command("qa", help_key="help.qa", usage="on|off", organizer_only=True, order=88)
def qa(ctx: Context) -> Reply:
    """``/qa on|off`` in a room's announcement chat: post each talk's top questions there at end-10 min."""
    arg = ctx.args.strip().lower()
    if arg not in ("on", "off"):
        raise UsageError("qa.usage")
    chat = ctx.request.channel
    if not ctx.request.is_group or not chat:
        return ReplyBuilder().line(ctx.t("qa.not_here")).build()
    mode = qa_posts.switch(ctx.session, ctx.request.address.platform, chat, arg == "on")
    if mode is None:
        return ReplyBuilder().line(ctx.t("qa.no_room")).build()
    return ReplyBuilder().line(ctx.t(f"qa.{arg}")).build()
