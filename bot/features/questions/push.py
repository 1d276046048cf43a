"""Q&A in a room's announcement chat: its talks' top questions posted at the end-minus-10-minutes mark.

An organizer switches it on with ``/qa on`` in a chat that announces a room (``/announce here
<room>``) or every room (``all``). Every minute :func:`plan` queues, for each such chat and each of
its talks whose end is at most :data:`BEFORE_END` away, one post (key ``qa_top:<talk>``, so once per
talk per chat whatever the restarts or replicas) with the top questions as they stand then. A talk
without open questions gets no post; a cancelled one gets none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.messages import Reply, ReplyBuilder, bold, italic
from bot.delivery import outbox
from bot.delivery.jobs import every
from bot.delivery.renderers import PushContext, renderer
from bot.features.announce.push import ALL, CHANGES, HELPDESK, ROOM_PREFIX, channel_user_id
from bot.features.questions import asking as questions
from bot.host import Host
from bot.i18n import t
from bot.programme.cards import title_of
from bot.programme.content.programme import Programme
from bot.storage.models import AnnounceChannel, User

KIND = "qa_top"
BEFORE_END = timedelta(minutes=10)
TOP = 5


def switch(session: Session, platform: str, chat_id: str, on: bool) -> str | None:
    """Turn Q&A posts on or off in a room announcement chat; its mode, or None if it announces no room."""
    link = session.scalar(
        select(AnnounceChannel)
        .join(User, User.id == AnnounceChannel.user_id)
        .where(User.platform == platform, User.platform_user_id == channel_user_id(chat_id))
        .where(AnnounceChannel.active.is_(True), AnnounceChannel.mode.not_in((CHANGES, HELPDESK)))
    )
    if link is None:
        return None
    link.qa = on
    return link.mode


def plan(session: Session, programme: Programme, *, now: datetime) -> int:
    """Queue the top-questions posts now due; how many new rows."""
    chats = session.execute(
        select(User, AnnounceChannel.mode)
        .join(AnnounceChannel, AnnounceChannel.user_id == User.id)
        .where(AnnounceChannel.active.is_(True), AnnounceChannel.qa.is_(True), User.active.is_(True))
        .where(AnnounceChannel.mode.not_in((CHANGES, HELPDESK)))
    ).all()
    queued = 0
    for channel, mode in chats:
        room = None if mode == ALL else mode.removeprefix(ROOM_PREFIX)
        for talk in programme.talks:
            if talk.cancelled or talk.end is None or (room is not None and talk.room != room):
                continue
            if not talk.end - BEFORE_END <= now < talk.end:
                continue
            top = [[q.text, q.votes] for q in questions.ranked(session, talk.id, None)[:TOP]]
            if top:
                queued += outbox.enqueue(
                    session,
                    recipient_id=channel.id,
                    kind=KIND,
                    key=f"{KIND}:{talk.id}",
                    due_at=now,
                    expires_at=talk.end,
                    payload={"talk": talk.id, "questions": top},
                    now=now,
                )
    return queued


@renderer(KIND)
def render(push: PushContext) -> Reply | None:
    """The post: the talk and its top questions with their votes, no names, no buttons."""
    talk = push.talk()
    if talk is None or talk.cancelled:
        return None
    lang = push.lang
    b = ReplyBuilder().line(bold(t(lang, "qa.top", id=talk.id, title=title_of(talk, lang))))
    for n, (text, votes) in enumerate(push.payload.get("questions", []), start=1):
        b.line(f"{n}. {text}", italic(f"  👍 {votes}"))
    return b.line(italic(t(lang, "qa.hint", id=talk.id))).build()


@every(60.0, name="confbot.qa", first_now=True)
def plan_due(host: Host) -> None:
    """The minute job of /qa on chats: queue the top-questions posts now due."""
    with host.db.session() as session:
        plan(session, host.programme, now=host.clock.now())
