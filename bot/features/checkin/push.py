"""Speaker check-in as outbox rows: the ask an hour before, the escalations at 30 and 15 minutes.

- **The ask.** :data:`ASK_LEAD` before a talk each linked speaker account (``CONFBOT_SPEAKERS``) of the
  talk that has used the bot gets "tap to check in" with a ``checkin <id>`` button (kind
  :data:`ASK`, key ``checkin:<talk>:<start>:ask``, unique per recipient).
- **The check-in** is recorded on that same row: ``payload["checked_in"]`` (when), the recipient being
  who. A check-in before the ask went out cancels the ask; one typed before the ask was even planned
  creates the row (cancelled) to hold it. No table of its own.
- **Escalations.** :data:`HOSTS_LEAD` before the talk its room's hosts (``CONFBOT_ROOM_HOSTS``), and
  :data:`ORGANIZERS_LEAD` before it the organizers (``CONFBOT_ORGANIZERS``), get "not checked in yet:
  <speakers>" (kind :data:`LATE`, keys ``checkin:<talk>:<start>:hosts`` / ``…:organizers``), once
  each. They are planned only while a linked speaker of the talk has not checked in, and every check-in
  settles them in its own transaction: all speakers in, the pending escalations are cancelled; else
  they are left naming the ones still missing. (A row already claimed by the dispatcher, a few seconds
  before its time, may still go out: the outbox's in-flight bound, docs/delivery.md.)
- **Planning** runs every minute (:func:`plan_due`) for the talks starting within :data:`HORIZON`, and
  after every schedule change (:func:`replan`, called by ``bot.features.schedule.changes``): the
  start time is in every key, so a moved talk is asked about again at its new time, and the rows of
  the old time, or of a cancelled talk, are cancelled (and dropped at send time by the renderers, if
  another replica planned them meanwhile). An escalation whose time passed more than :data:`LATE_GRACE`
  ago (the bot was down) is not planned; the ask is, until the talk starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import users
from bot.chat.messages import Button, Reply, ReplyBuilder, bold
from bot.delivery import outbox
from bot.delivery.jobs import every
from bot.delivery.renderers import PushContext, renderer
from bot.features.schedule.changes import on_applied
from bot.host import Host
from bot.i18n import t
from bot.programme.cards import room_name, speaker_name, title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.speaker_links import SpeakerLinks
from bot.programme.timefmt import format_time
from bot.settings import Account, Settings
from bot.storage.models import OutboxMessage, User

ASK = "checkin"
LATE = "checkin_late"
KINDS = (ASK, LATE)
ASK_LEAD = timedelta(minutes=60)
HOSTS_LEAD = timedelta(minutes=30)
ORGANIZERS_LEAD = timedelta(minutes=15)
HOSTS, ORGANIZERS = "hosts", "organizers"
HORIZON = timedelta(hours=2)  # talks starting within it are planned (the ask is due an hour before)
LATE_GRACE = timedelta(minutes=5)
PLAN_SECONDS = 60.0


def key_for(talk: Talk, stage: str) -> str:
    """``checkin:<talk>:<start ISO>:<stage>`` (stage ``ask``, ``hosts`` or ``organizers``)."""
    assert talk.start is not None
    return f"{ASK}:{talk.id}:{talk.start.isoformat()}:{stage}"


def _talk_and_start(key: str) -> tuple[int, str] | None:
    """The talk id and start ISO of a check-in key; None for anything else."""
    _, talk_id, rest = (key.split(":", 2) + ["", ""])[:3]
    start = rest.rpartition(":")[0]
    return (int(talk_id), start) if talk_id.isdigit() and start else None


def linked_speakers(talk: Talk, links: SpeakerLinks) -> list[str]:
    """The talk's speakers who have a linked chat account, in the talk's order."""
    linked = {sid for sid, _, _ in links.accounts()}
    return [sid for sid in talk.speakers if sid in linked]


def speaker_accounts(talk: Talk, links: SpeakerLinks) -> list[tuple[str, str, str]]:
    """``(speaker_id, platform, user_id)`` for every linked account of the talk's speakers."""
    return [(sid, platform, uid) for sid, platform, uid in links.accounts() if sid in talk.speakers]


def reachable(session: Session, accounts: Iterable[tuple[str, str]]) -> list[User]:
    """The active users rows of ``accounts`` (``platform, user_id``), once each: an account that never
    wrote to the bot has none, and cannot be sent anything."""
    found: dict[int, User] = {}
    for platform, user_id in dict.fromkeys(accounts):
        user = users.find(session, platform, user_id) if user_id else None
        if user is not None and user.active:
            found.setdefault(user.id, user)
    return list(found.values())


def checked_in(session: Session, talk: Talk) -> dict[tuple[str, str], datetime]:
    """When each account (``platform, user_id``) checked in for the talk at its current start."""
    rows = session.execute(
        select(User.platform, User.platform_user_id, OutboxMessage.payload)
        .join(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.kind == ASK, OutboxMessage.key == key_for(talk, "ask"))
    )
    return {
        (platform, uid): datetime.fromisoformat(payload["checked_in"])
        for platform, uid, payload in rows
        if payload and payload.get("checked_in")
    }


def missing(session: Session, talk: Talk, links: SpeakerLinks) -> list[str]:
    """The linked speakers of the talk none of whose accounts has checked in."""
    done = checked_in(session, talk)
    here = {sid for sid, platform, uid in speaker_accounts(talk, links) if (platform, uid) in done}
    return [sid for sid in linked_speakers(talk, links) if sid not in here]


def _payload(talk: Talk, **extra: Any) -> dict[str, Any]:
    assert talk.start is not None
    return {"talk": talk.id, "start": talk.start.isoformat(), **extra}


def plan_talk(session: Session, talk: Talk, links: SpeakerLinks, settings: Settings, *, now: datetime) -> int:
    """Queue the talk's asks, and its escalations while a speaker is missing; the rows new."""
    if talk.start is None or talk.cancelled or talk.start <= now or not linked_speakers(talk, links):
        return 0
    queued = 0
    accounts = ((platform, uid) for _, platform, uid in speaker_accounts(talk, links))
    for user in reachable(session, accounts):
        queued += outbox.enqueue(
            session,
            recipient_id=user.id,
            kind=ASK,
            key=key_for(talk, "ask"),
            due_at=talk.start - ASK_LEAD,
            payload=_payload(talk),
            expires_at=talk.start,
            now=now,
        )
    absent = missing(session, talk, links)
    if not absent:
        return queued
    stages: tuple[tuple[str, timedelta, tuple[Account, ...]], ...] = (
        (HOSTS, HOSTS_LEAD, settings.room_host_accounts.get(talk.room or "", ())),
        (ORGANIZERS, ORGANIZERS_LEAD, settings.organizer_accounts),
    )
    for stage, lead, staff in stages:
        due = talk.start - lead
        if now > due + LATE_GRACE:
            continue
        for user in reachable(session, staff):
            queued += outbox.enqueue(
                session,
                recipient_id=user.id,
                kind=LATE,
                key=key_for(talk, stage),
                due_at=due,
                payload=_payload(talk, to=stage, missing=absent),
                expires_at=talk.start,
                now=now,
            )
    return queued


def plan(session: Session, programme: Programme, links: SpeakerLinks, settings: Settings, *, now: datetime) -> int:
    """Plan every talk starting within :data:`HORIZON`; the rows new."""
    return sum(
        plan_talk(session, talk, links, settings, now=now)
        for talk in programme.talks
        if talk.start is not None and now < talk.start <= now + HORIZON
    )


@on_applied("checkin")
def replan_applied(session: Session, host: Host, programme: Programme, now: datetime) -> int:
    """A step of applying a programme (a move, a cancel, a reload): the check-in asks follow it."""
    replan(session, host, programme, now=now)
    return 0


def replan(session: Session, host: Host, programme: Programme, *, now: datetime) -> int:
    """After a schedule change: cancel the pending rows of moved or cancelled talks, plan the new times."""
    stale = []
    for key in session.scalars(
        select(OutboxMessage.key).where(OutboxMessage.kind.in_(KINDS), OutboxMessage.status == outbox.PENDING)
    ):
        parsed = _talk_and_start(key)
        talk = programme.talk(parsed[0]) if parsed else None
        if (
            parsed is None
            or talk is None
            or talk.cancelled
            or talk.start is None
            or talk.start.isoformat() != parsed[1]
        ):
            stale.append(key)
    if stale:
        outbox.cancel_pending(
            session, OutboxMessage.kind.in_(KINDS), OutboxMessage.key.in_(stale), reason="talk moved or cancelled"
        )
    return plan(session, programme, host.speaker_links, host.settings, now=now)


def check_in(session: Session, user: User, talk: Talk, links: SpeakerLinks, *, now: datetime) -> datetime | None:
    """Record that ``user`` (a linked speaker's account) is here for ``talk``, and settle the escalations.

    Returns when this account had already checked in (nothing changes then), else None.
    """
    assert talk.start is not None
    key = key_for(talk, "ask")
    find = select(OutboxMessage).where(OutboxMessage.recipient_id == user.id, OutboxMessage.key == key)
    row = session.scalar(find)
    if row is None:  # checked in before the ask was planned: the row holds the check-in
        outbox.enqueue(
            session,
            recipient_id=user.id,
            kind=ASK,
            key=key,
            due_at=talk.start - ASK_LEAD,
            payload=_payload(talk),
            expires_at=talk.start,
            now=now,
        )
        row = session.scalars(find).one()
    earlier = (row.payload or {}).get("checked_in")
    if earlier:
        return datetime.fromisoformat(earlier)
    row.payload = {**(row.payload or {}), "checked_in": now.isoformat()}
    if row.status == outbox.PENDING:
        row.status, row.last_error = outbox.CANCELLED, "checked in before the ask"
    session.flush()
    settle(session, talk, links)
    return None


def settle(session: Session, talk: Talk, links: SpeakerLinks) -> None:
    """Pending escalations: cancelled once every linked speaker is in, else naming who is still missing."""
    absent = missing(session, talk, links)
    late = (
        OutboxMessage.kind == LATE,
        OutboxMessage.key.in_((key_for(talk, HOSTS), key_for(talk, ORGANIZERS))),
    )
    if not absent:
        outbox.cancel_pending(session, *late, reason="the speakers checked in")
        return
    for row in session.scalars(select(OutboxMessage).where(*late, OutboxMessage.status == outbox.PENDING)):
        row.payload = {**(row.payload or {}), "missing": absent}


def _current(push: PushContext) -> Talk | None:
    """The push's talk if it still happens at the time the push was planned for; else None (drop it)."""
    talk = push.talk()
    if talk is None or talk.cancelled or talk.start is None:
        return None
    return talk if talk.start.isoformat() == push.payload.get("start") else None


def names(programme: Programme, speaker_ids: Iterable[str], lang: str) -> str:
    """The speakers' display names, comma-separated (an unknown id as itself)."""
    shown = []
    for sid in speaker_ids:
        speaker = programme.speaker(sid)
        shown.append(speaker_name(speaker, lang) if speaker is not None else sid)
    return ", ".join(shown)


@renderer(ASK)
def render_ask(push: PushContext) -> Reply | None:
    """ "Your talk #3 … starts at 10:40 in Hall B: tap to check in", with the button."""
    talk = _current(push)
    if talk is None or talk.start is None:
        return None
    lang, programme = push.lang, push.programme
    b = ReplyBuilder().line(t(lang, "checkin.ask_title")).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    when = format_time(talk.start, programme.tz)
    b.line(t(lang, "checkin.ask_when", time=when, room=room_name(programme, talk.room, lang)))
    b.line(t(lang, "checkin.ask_tap"))
    return b.build(buttons=((Button(t(lang, "checkin.button"), f"checkin {talk.id}"),),))


@renderer(LATE)
def render_late(push: PushContext) -> Reply | None:
    """ "Not checked in yet: <speakers>" to the room hosts or the organizers."""
    talk = _current(push)
    if talk is None or talk.start is None:
        return None
    lang, programme = push.lang, push.programme
    minutes = max(1, round((talk.start - push.now).total_seconds() / 60))
    who = names(programme, push.payload.get("missing", []), lang)
    b = ReplyBuilder().line(t(lang, "checkin.late_title", speakers=who))
    b.line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    when = format_time(talk.start, programme.tz)
    b.line(t(lang, "checkin.late_when", time=when, room=room_name(programme, talk.room, lang), minutes=minutes))
    buttons = (
        (
            Button(t(lang, "checkin.button_list"), "checkins"),
            Button(t(lang, "button.open_talk"), f"talk {talk.id}"),
        ),
    )
    return b.build(buttons=buttons)


@every(PLAN_SECONDS, name="confbot.checkin", first_now=True)
def plan_due(host: Host) -> int:
    """Plan the asks and escalations of the talks starting soon (the minute job); the rows new."""
    with host.db.session() as session:
        return plan(session, host.programme, host.speaker_links, host.settings, now=host.clock.now())
