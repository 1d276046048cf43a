"""Broadcasts: one announcement to an audience, one outbox row per recipient.

- :func:`parse_audience` reads ``all``, ``talk:12``, ``platform:telegram`` or ``lang:en``.
- :func:`start` records a :class:`~bot.storage.models.Broadcast` and queues its rows (kind
  ``broadcast``, key ``broadcast:<id>``, priority ``BULK``) with one INSERT … SELECT, in the
  caller's transaction: 10 000 recipients are one statement.
- Rows are rendered at send time by :func:`render` from the organizer's markup (``bot/chat/markup.py``).
- :func:`finish_completed` (run by the push runtime after each dispatch pass) marks a broadcast
  ``done`` once none of its rows is pending or sending, and queues one summary push to the organizer
  who sent it (key ``broadcast-done:<id>``). The mark is a conditional UPDATE, so with two replicas
  only one queues the summary, and the key would stop a second one anyway.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from bot.chat import markup
from bot.chat.messages import Reply, ReplyBuilder, bold
from bot.chat.pages import PAGE_CHARS
from bot.delivery import outbox
from bot.delivery.jobs import after_dispatch
from bot.delivery.renderers import PushContext, renderer
from bot.i18n import CHINESE, LANGUAGES, t
from bot.storage.db import rowcount
from bot.storage.models import Broadcast, OutboxMessage, Subscription, User
from bot.users import find

KIND, DONE_KIND = "broadcast", "broadcast_done"
SENDING, DONE = "sending", "done"
MAX_CHARS = PAGE_CHARS  # one message, as the core pages replies; longer texts are refused, never cut
PLATFORMS = ("telegram", "slack", "wechat", "console")  # the ones pushes reach ("web" is a page only)
# the terminal is for rehearsing: "all" means the chat platforms (platform:console reaches it on purpose)
NOT_IN_ALL = ("console",)
_BUSY = (outbox.PENDING, outbox.SENDING)


def key_of(broadcast_id: int) -> str:
    """The idempotency key of a broadcast's rows."""
    return f"broadcast:{broadcast_id}"


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: ``all``, or one talk's subscribers, one platform, one language."""

    kind: str  # all | talk | platform | lang
    value: str = ""

    @property
    def label(self) -> str:
        """As typed: ``all``, ``talk:12``…"""
        return self.kind if self.kind == "all" else f"{self.kind}:{self.value}"


EVERYONE = Audience("all")
_WORD = re.compile(r"^(?P<kind>[a-z]+):(?P<value>[^\s/]+)$")


def looks_like_audience(word: str) -> bool:
    """Whether the first word of ``/broadcast`` is meant as an audience (``all`` or ``word:value``)."""
    return word == "all" or _WORD.match(word.lower()) is not None


def parse_audience(word: str) -> Audience | None:
    """``all``, ``talk:12``, ``platform:telegram``, ``lang:en``; None if it is none of them.

    A talk id is not checked against the programme here (the command does that).
    """
    if word.strip().lower() == "all":
        return EVERYONE
    match = _WORD.match(word.strip().lower())
    if match is None:
        return None
    kind, value = match["kind"], match["value"]
    if kind == "talk":
        number = value.lstrip("#")
        return Audience("talk", str(int(number))) if number.isdecimal() and len(number) <= 9 else None
    if kind == "platform" and value in PLATFORMS:
        return Audience("platform", value)
    if kind == "lang" and value in LANGUAGES:
        return Audience("lang", value)
    return None


def recipients(audience: Audience) -> Select[int]:
    """The ids of the audience's users: active people only, never channels."""
    query = select(User.id).where(User.active.is_(True), User.kind == "person")
    if audience.kind == "talk":
        subscribed = select(Subscription.user_id).where(Subscription.talk_id == int(audience.value))
        return query.where(User.id.in_(subscribed))
    if audience.kind == "platform":
        return query.where(User.platform == audience.value)
    query = query.where(User.platform.not_in(NOT_IN_ALL))
    if audience.kind == "lang":
        if audience.value == "zh":  # Chinese readers, in Simplified or Traditional characters
            return query.where(User.language.in_(CHINESE))
        return query.where(User.language == audience.value)
    return query


def sizes(session: Session, audience: Audience) -> dict[str, int]:
    """How many people the audience reaches, per platform."""
    ids = recipients(audience).subquery()
    rows = session.execute(
        select(User.platform, func.count()).where(User.id.in_(select(ids.c[0]))).group_by(User.platform)
    )
    return {platform: n for platform, n in sorted(rows)}


@functools.lru_cache(maxsize=16)
def message(text: str) -> Reply:
    """The broadcast as attendees see it (rendered once per text, not once per recipient: a
    :class:`Reply` is immutable)."""
    return Reply(tuple(markup.parse(text)), bulk=True)


def too_long(text: str) -> int | None:
    """The text's length if it exceeds one message (:data:`MAX_CHARS`), else None."""
    length = markup.visible_length(markup.parse(text))
    return length if length > MAX_CHARS else None


def start(session: Session, *, audience: Audience, text: str, created_by: str, now: datetime) -> Broadcast:
    """Record the broadcast and queue one row per recipient, in the caller's transaction."""
    broadcast = Broadcast(
        created_by=created_by, created_at=now, text=text, audience=audience.label, recipients=0, status=SENDING
    )
    session.add(broadcast)
    session.flush()
    broadcast.recipients = outbox.enqueue_many(
        session,
        recipients(audience),
        kind=KIND,
        key=key_of(broadcast.id),
        due_at=now,
        payload={"broadcast": broadcast.id, "text": text},
        priority=outbox.BULK,
        now=now,
    )
    return broadcast


@dataclass(frozen=True)
class Progress:
    """A broadcast and where its rows are."""

    broadcast: Broadcast
    sent: int
    pending: int  # pending or sending
    failed: int  # failed (gave up, 400) or missed
    blocked: int  # blocked, or cancelled because the recipient blocked the bot meanwhile

    @property
    def total(self) -> int:
        """Rows queued."""
        return self.sent + self.pending + self.failed + self.blocked


def _progress(session: Session, broadcasts: list[Broadcast]) -> list[Progress]:
    keys = {key_of(b.id): b for b in broadcasts}
    if not keys:
        return []
    counts: dict[str, Counter[str]] = {k: Counter() for k in keys}
    rows = session.execute(
        select(OutboxMessage.key, OutboxMessage.status, func.count())
        .where(OutboxMessage.key.in_(list(keys)))
        .group_by(OutboxMessage.key, OutboxMessage.status)
    )
    for key, status, n in rows:
        counts[key][status] += n
    return [
        Progress(
            b,
            sent=c[outbox.SENT],
            pending=c[outbox.PENDING] + c[outbox.SENDING],
            failed=c[outbox.FAILED] + c[outbox.MISSED] + c[outbox.UNREACHABLE],  # not sent: /stats tells them apart
            blocked=c[outbox.BLOCKED] + c[outbox.CANCELLED],
        )
        for b, c in ((keys[k], counts[k]) for k in keys)
    ]


def latest(session: Session, limit: int = 5) -> list[Progress]:
    """The newest broadcasts first, with their counts from the outbox."""
    return _progress(session, list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))))


@dataclass(frozen=True)
class Tally:
    """One broadcast's progress, detached from the session (the desk's progress page)."""

    id: int
    audience: str
    text: str
    done: bool
    sent: int
    pending: int
    failed: int
    blocked: int

    @property
    def total(self) -> int:
        """Rows queued."""
        return self.sent + self.pending + self.failed + self.blocked


def tally(session: Session, broadcast_id: int) -> Tally | None:
    """Where one broadcast's rows are (the counts ``/broadcast status`` shows); None if there is no such one."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    (p,) = _progress(session, [broadcast])
    return Tally(
        broadcast.id,
        broadcast.audience,
        broadcast.text,
        broadcast.status == DONE,
        p.sent,
        p.pending,
        p.failed,
        p.blocked,
    )


def platforms_in_use(session: Session) -> list[str]:
    """The platforms that have people an audience ``platform:<name>`` could reach."""
    used = session.scalars(
        select(User.platform).where(User.active.is_(True), User.kind == "person").group_by(User.platform)
    )
    return [p for p in sorted(used) if p in PLATFORMS]


@after_dispatch
def finish_completed(session: Session, now: datetime) -> list[int]:
    """Mark finished broadcasts ``done`` and queue each one summary to its organizer; returns their ids.

    Cheap when nothing is being broadcast: one query on the small ``broadcasts`` table.
    """
    finished: list[int] = []
    for broadcast in session.scalars(select(Broadcast).where(Broadcast.status == SENDING).order_by(Broadcast.id)):
        busy = session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_((outbox.PENDING, outbox.SENDING)), OutboxMessage.key == key_of(broadcast.id)
            )
            .limit(1)
        )
        if busy is not None:
            continue
        marked = session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id, Broadcast.status == SENDING)
            .values(status=DONE, completed_at=now),
            execution_options={"synchronize_session": False},
        )
        if not rowcount(marked):  # another replica got there first
            continue
        finished.append(broadcast.id)
        _summarize(session, broadcast, now)
    return finished


def _summarize(session: Session, broadcast: Broadcast, now: datetime) -> None:
    """Queue the summary push to the organizer who sent ``broadcast`` (not to the terminal)."""
    platform, _, user_id = broadcast.created_by.partition(":")
    organizer = find(session, platform, user_id) if platform not in NOT_IN_ALL else None
    if organizer is None:
        return
    (done,) = _progress(session, [broadcast])
    payload = {
        "broadcast": broadcast.id,
        "audience": broadcast.audience,
        "total": done.total,
        "sent": done.sent,
        "failed": done.failed,
        "blocked": done.blocked,
    }
    outbox.enqueue(
        session,
        recipient_id=organizer.id,
        kind=DONE_KIND,
        key=f"broadcast-done:{broadcast.id}",
        due_at=now,
        payload=payload,
        now=now,
    )


def counts_line(lang: str, sent: int, failed: int, blocked: int, total: int) -> str:
    """``1 990 sent, 2 failed, 8 blocked (of 2 000)`` in ``lang``."""
    return t(lang, "broadcast.counts", sent=sent, failed=failed, blocked=blocked, total=total)


@renderer(KIND)
def render(push: PushContext) -> Reply:
    """A broadcast row: the organizer's text, the same in every language, marked as bulk."""
    return message(str(push.payload.get("text", "")))


@renderer(DONE_KIND)
def render_done(push: PushContext) -> Reply:
    """The summary the organizer gets when their broadcast has finished."""
    p, lang = push.payload, push.lang
    head = t(lang, "broadcast.done", id=p.get("broadcast"), audience=p.get("audience", ""))
    counts = counts_line(
        lang, int(p.get("sent", 0)), int(p.get("failed", 0)), int(p.get("blocked", 0)), int(p.get("total", 0))
    )
    return ReplyBuilder().line(bold(head)).line(counts).build()
