"""Applying an edited programme: re-time reminders, tell subscribers what moved or was cancelled.

The last announced schedule of every talk lives in ``talk_snapshots``, so changes are detected
across restarts and by whichever replica reloads first. Notice keys (``moved:<id>:<start>:<room>``,
``cancelled:<id>``) make every notice idempotent across replicas and repeated reloads.

A reload is all or nothing, and conservative: content with no talks where talks were announced is a
``ContentError``, and one that would cancel (or remove) more than ``CANCEL_LIMIT`` of the announced
talks raises ``ReloadRefused`` unless forced. Both are checked before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.content.loader import ContentError, Problem, load_content
from bot.content.programme import Programme
from bot.content.schema import Talk
from bot.core import Core
from bot.push import outbox, reminders
from bot.push.sender import SendRates
from bot.storage.models import Subscription, TalkSnapshot, User

CANCEL_LIMIT = 0.25
"""A reload may cancel or remove at most this share of the announced talks unless forced."""


class ReloadRefused(Exception):
    """The reload would cancel more than ``CANCEL_LIMIT`` of the talks; nothing was changed."""

    def __init__(self, cancelling: list[str], announced: int) -> None:
        self.cancelling = cancelling
        self.announced = announced
        shown = ", ".join(cancelling[:10]) + (f" and {len(cancelling) - 10} more" if len(cancelling) > 10 else "")
        super().__init__(
            f"this reload would cancel {len(cancelling)} of {announced} talks, more than "
            f"{CANCEL_LIMIT:.0%}: {shown}. Nothing was changed. If that is meant, apply it with "
            "`confbot content reload --force`."
        )


@dataclass
class ChangeReport:
    """What a reload changed."""

    moved: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    notices: int = 0
    reminders: int = 0

    def __str__(self) -> str:
        return (
            f"moved: {self.moved or 'none'}; cancelled: {self.cancelled or 'none'}; "
            f"notices queued: {self.notices}; reminders re-planned: {self.reminders}"
        )


def _subscribers(session: Session, talk_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Subscription, Subscription.user_id == User.id)
            .where(Subscription.talk_id == talk_id, User.active.is_(True))
            .order_by(Subscription.id)
        )
    )


def apply_programme(core: Core, new: Programme, *, force: bool = False, source: str = "content") -> ChangeReport:
    """Diff ``new`` against the snapshots, queue notices, re-plan reminders, swap it in.

    Raises ContentError (no talks left, naming ``source``) or ReloadRefused (too many cancelled,
    unless ``force``) before writing anything.
    """
    report = ChangeReport()
    now = core.clock.now()
    with core.db.session() as session:
        snapshots = {s.talk_id: s for s in session.scalars(select(TalkSnapshot))}
        talks = {t.id: t for t in new.talks}
        _check(core, snapshots, talks, force=force, source=source)
        for talk_id, old in snapshots.items():
            if talk_id not in talks and not old.cancelled:  # removed from the content
                _cancelled(session, talk_id, report, now, _as_announced(core.programme.talk(talk_id), old))
                old.cancelled, old.updated_at = True, now
        for talk in new.talks:
            snap = snapshots.get(talk.id)
            if snap is None:
                session.add(
                    TalkSnapshot(
                        talk_id=talk.id,
                        start=talk.start,
                        end=talk.end,
                        room=talk.room,
                        cancelled=talk.cancelled,
                        updated_at=now,
                    )
                )
                continue
            if talk.cancelled and not snap.cancelled:
                _cancelled(session, talk.id, report, now, _as_announced(talk, snap))
            elif not talk.cancelled and (snap.start != talk.start or snap.room != talk.room or snap.cancelled):
                _moved(session, talk, snap, report, now, core.send_rates)
            snap.start, snap.end, snap.room, snap.cancelled, snap.updated_at = (
                talk.start,
                talk.end,
                talk.room,
                talk.cancelled,
                now,
            )
    core.replace_programme(new)
    return report


def _check(core: Core, snapshots: dict[int, TalkSnapshot], talks: dict[int, Talk], *, force: bool, source: str) -> None:
    """Refuse a reload that looks like a missing or half-written file rather than an edit."""
    announced = [s.talk_id for s in snapshots.values() if not s.cancelled]
    if announced and not talks:
        raise ContentError(
            [
                Problem(
                    source,
                    None,
                    "talks",
                    f"no talks, but {len(announced)} are announced: is a talks file missing or emptied? "
                    "To call talks off, mark them `cancelled: true`",
                )
            ]
        )
    cancelling = [i for i in announced if i not in talks or talks[i].cancelled]
    if not force and len(cancelling) > len(announced) * CANCEL_LIMIT:
        raise ReloadRefused([_label(core, talks, i) for i in sorted(cancelling)], len(announced))


def _label(core: Core, talks: dict[int, Talk], talk_id: int) -> str:
    talk = talks.get(talk_id) or core.programme.talk(talk_id)
    return f"#{talk_id} {talk.title_en or talk.title}" if talk else f"#{talk_id}"


def snapshot_mark(core: Core) -> tuple[object, ...]:
    """A cheap fingerprint of ``talk_snapshots``: it changes whenever any process applies content."""
    with core.db.session() as session:
        return tuple(
            session.execute(
                select(func.count(), func.max(TalkSnapshot.updated_at), func.count().filter(TalkSnapshot.cancelled))
            ).one()
        )


def _as_announced(talk: Talk | None, snap: TalkSnapshot) -> dict[str, Any]:
    """What a "cancelled" notice must still say once the talk has left the programme."""
    return {
        "title": talk.title if talk else None,
        "title_en": talk.title_en if talk else None,
        "start": snap.start.isoformat() if snap.start else None,
        "room": snap.room,
    }


def _cancelled(session: Session, talk_id: int, report: ChangeReport, now: datetime, announced: dict[str, Any]) -> None:
    report.cancelled.append(talk_id)
    reminders.cancel_for_talk(session, talk_id, reason="talk cancelled")
    for user in _subscribers(session, talk_id):
        report.notices += outbox.enqueue(
            session,
            recipient_id=user.id,
            kind="cancelled",
            key=f"cancelled:{talk_id}",
            due_at=now,
            payload={"talk": talk_id, **announced},
            now=now,
        )


def _moved(
    session: Session, talk: Talk, snap: TalkSnapshot, report: ChangeReport, now: datetime, rates: SendRates
) -> None:
    report.moved.append(talk.id)
    reminders.cancel_for_talk(session, talk.id, reason="talk moved")
    payload = {
        "talk": talk.id,
        "start": talk.start.isoformat() if talk.start else None,
        "room": talk.room,
        "old_start": snap.start.isoformat() if snap.start else None,
        "old_room": snap.room,
    }
    key = f"moved:{talk.id}:{payload['start']}:{talk.room}"
    for user in _subscribers(session, talk.id):
        report.notices += outbox.enqueue(
            session, recipient_id=user.id, kind="moved", key=key, due_at=now, payload=payload, now=now
        )
    report.reminders += reminders.replan_talk(session, talk, now=now, rates=rates)


def reload_from_path(core: Core, path: Path, *, force: bool = False) -> ChangeReport:
    """Load the files (ContentError if broken) and apply them (ReloadRefused if too much goes)."""
    return apply_programme(core, load_content(Path(path)), force=force, source=str(path))
