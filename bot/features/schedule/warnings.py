"""Warnings to the organizers in chat: a schedule update was refused and the previous one is kept.

Sent when a live sync (``CONFBOT_SCHEDULE_URL``) or the content watcher (an edited file) meets a
schedule that cannot be loaded, or that adds conflicts (two talks in one room, one speaker in two
places, a room that does not exist, a talk outside the conference days). They go to each organizer
in ``CONFBOT_ORGANIZERS`` who has talked to the bot (a platform lets a bot write only to people who
did), through the outbox, with a key made of the source, the problems and the schedule last applied
(``since``: the live sync's applied digest, or :func:`schedule_mark` of the programme shown): one
warning per distinct problem however often it is polled and whichever replica sees it first, and
again when the problem comes back after a good schedule was applied in between. (A good schedule
byte-identical to the one before the problem does not count as "in between".)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.chat.messages import Reply, ReplyBuilder, bold, code
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.i18n import t
from bot.programme.content.programme import Programme
from bot.settings import Account
from bot.users import find

KIND = "schedule_problem"
SHOWN = 10  # problems listed in one warning


def schedule_mark(programme: Programme) -> str:
    """A digest of the programme shown (talks and breaks): it changes when a different schedule is applied."""
    items = [x.model_dump_json() for x in programme.talks] + [x.model_dump_json() for x in programme.breaks]
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def warning_key(source: str, problems: Iterable[str], since: str) -> str:
    """The same source and problems since the same good schedule give the same key: queued once."""
    text = "\n".join([source, since, *sorted(problems)])
    return f"schedule-problem:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def warn(
    session: Session,
    organizers: Iterable[Account],
    *,
    source: str,
    problems: list[str],
    via: str,
    since: str,
    now: datetime,
) -> int:
    """Queue one warning to every organizer who has talked to the bot; returns how many were new.

    ``organizers`` are ``Settings.organizer_accounts``; ``via`` is ``sync`` or ``files`` (the hint);
    ``since`` marks the good schedule last applied (a problem recurring after another one warns again).
    """
    key = warning_key(source, problems, since)
    payload = {"source": source, "problems": problems[:SHOWN], "more": max(0, len(problems) - SHOWN), "via": via}
    queued = 0
    for account in organizers:
        user = find(session, account.platform, account.user_id) if account.user_id else None
        if user is None or not user.active:
            continue
        queued += outbox.enqueue(
            session, recipient_id=user.id, kind=KIND, key=key, due_at=now, payload=payload, now=now
        )
    return queued


@renderer(KIND)
def render(push: PushContext) -> Reply:
    """The warning in the organizer's language; the problems as the check names them."""
    p, lang = push.payload, push.lang
    b = ReplyBuilder().line(bold(t(lang, "warning.schedule_refused")))
    b.line(t(lang, "warning.source"), code(str(p.get("source", ""))))
    for problem in p.get("problems", []):
        b.line(f"• {problem}")
    if p.get("more"):
        b.line(t(lang, "warning.more", count=p["more"]))
    return b.line(t(lang, "warning.fix_sync" if p.get("via") == "sync" else "warning.fix_files")).build()
