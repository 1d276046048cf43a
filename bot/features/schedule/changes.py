"""Applying an edited programme: re-time reminders, tell subscribers what moved or was cancelled.

The last announced schedule of every talk lives in ``talk_snapshots``, so changes are detected
across restarts and by whichever replica reloads first. Notice keys (``moved:<id>:<start>:<room>@<rev>``,
``cancelled:<id>@<rev>``, where ``<rev>`` is when the announced state they change was recorded) make
every notice idempotent across replicas and repeated reloads, yet announce a talk moved back and
forth, or cancelled again after an undo, every time.

A reload is all or nothing, and conservative: content with no talks where talks were announced is a
``ContentError``, and one that would cancel (or remove) more than ``CANCEL_LIMIT`` of the announced
talks raises ``ReloadRefused`` unless forced, and so does one that adds a schedule conflict (two talks
in one room, or one speaker in two talks, at once; ``ConflictRefused``) that the announced schedule
does not have. All are checked before anything is written. Conflicts the announced schedule already
has (forced earlier, or there at the very first start) are only reported in the ``ChangeReport``.

Organizers' fixes (``bot.programme.overrides``) are applied on top of the loaded files by
:func:`reload_from_path`; /move and /cancel apply their programme with :func:`apply_programme`
inside their own request's session, and the programme is swapped in once that commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.registration import once
from bot.delivery.sender import SendRates
from bot.features.announce import push as announcements
from bot.features.personal import reminders
from bot.host import Host
from bot.programme import overrides
from bot.programme.content import conflicts
from bot.programme.content.loader import ContentError, Problem, load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.db import SCHEDULE_LOCK, one_at_a_time
from bot.storage.models import Subscription, TalkSnapshot, User

CANCEL_LIMIT = 0.25
"""A reload may cancel or remove at most this share of the announced talks unless forced."""
FORCE_HINT = "If that is meant, apply it with `confbot content reload --force`."
SHOWN_AT_MOST = 10
"""A refusal's message names this many of the talks or conflicts, then how many more."""

# a step: the session, the host (its programme is still the one shown until now), the new programme, now
Applied = Callable[[Session, Host, Programme, datetime], int]
"""A feature's step in applying a programme: ``(session, the programme shown until now, the new one, now)``
→ the notices it queued. It runs in the applying transaction, after the checks passed."""
APPLIED: dict[str, Applied] = {}


def on_applied(name: str) -> Callable[[Applied], Applied]:
    """Register a step run whenever a new programme is applied (a reload, /reload, the live sync, /move)."""
    return once(APPLIED, name, "the programme-applied step")


def _first_few(items: list[str], separator: str) -> str:
    """The first ``SHOWN_AT_MOST`` items, then how many more."""
    more = len(items) - SHOWN_AT_MOST
    return separator.join(items[:SHOWN_AT_MOST]) + (f" and {more} more" if more > 0 else "")


class ReloadRefused(Exception):
    """The reload would cancel more than ``CANCEL_LIMIT`` of the talks; nothing was changed.

    ``cancelling`` labels the talks it would cancel, of ``announced``; :attr:`reason` says what the
    reload would do, for a reply to add its own "nothing was changed" and hint to.
    """

    def __init__(self, cancelling: list[str], announced: int) -> None:
        self.cancelling = cancelling
        self.announced = announced
        super().__init__(f"{self.reason}. Nothing was changed. {FORCE_HINT}")

    @property
    def reason(self) -> str:
        """What the reload would do, as one sentence without its full stop."""
        return (
            f"this reload would cancel {len(self.cancelling)} of {self.announced} talks, more than "
            f"{CANCEL_LIMIT:.0%}: {_first_few(self.cancelling, ', ')}"
        )


class ConflictRefused(ReloadRefused):
    """The reload would add schedule ``conflicts`` the announced schedule does not have; nothing was changed."""

    def __init__(self, clashes: list[conflicts.Conflict]) -> None:
        self.conflicts = clashes
        super().__init__([], 0)

    @property
    def reason(self) -> str:
        """What the reload would do, as one sentence without its full stop."""
        shown = _first_few([str(c) for c in self.conflicts], "; ")
        return f"this reload would add {len(self.conflicts)} schedule conflict(s): {shown}"


@dataclass
class ChangeReport:
    """What a reload changed, and the conflicts the applied schedule keeps."""

    moved: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    notices: int = 0
    reminders: int = 0
    conflicts: list[conflicts.Conflict] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"moved: {self.moved or 'none'}; cancelled: {self.cancelled or 'none'}; "
            f"notices queued: {self.notices}; reminders re-planned: {self.reminders}"
        )
        if self.conflicts:
            text += f"; conflicts kept: {'; '.join(str(c) for c in self.conflicts)}"
        return text


def _subscribers(talk_id: int) -> Select[int]:
    """The active subscribers' user ids, in subscription order: one INSERT … SELECT notifies them all."""
    return (
        select(User.id)
        .join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.talk_id == talk_id, User.active.is_(True))
        .order_by(Subscription.id)
    )


def apply_programme(
    host: Host, new: Programme, *, force: bool = False, source: str = "content", session: Session | None = None
) -> ChangeReport:
    """Diff ``new`` against the snapshots, queue notices, re-plan reminders, swap it in.

    Raises ContentError (no talks left, naming ``source``) or ReloadRefused (too many cancelled, or
    ``ConflictRefused`` for added conflicts, unless ``force``) before writing anything. With a
    ``session`` (a command's own), the work joins its transaction and the programme is swapped in
    once it commits; otherwise in a transaction of its own, swapped in right after.
    """
    if session is None:
        with host.db.session() as own:
            report = _apply(host, new, own, force=force, source=source)
        host.replace_programme(new)
        return report
    report = _apply(host, new, session, force=force, source=source)
    event.listen(session, "after_commit", lambda _s: host.replace_programme(new), once=True)
    return report


def _apply(host: Host, new: Programme, session: Session, *, force: bool, source: str) -> ChangeReport:
    report = ChangeReport()
    now = host.clock.now()
    one_at_a_time(session, SCHEDULE_LOCK)  # replicas starting together: the second sees the first's snapshots
    snapshots = {s.talk_id: s for s in session.scalars(select(TalkSnapshot))}
    talks = {t.id: t for t in new.talks}
    _check(host, snapshots, talks, force=force, source=source)
    report.conflicts = _conflicts(new, snapshots, force=force)
    for talk_id, old in snapshots.items():
        if talk_id not in talks and not old.cancelled:  # removed from the content
            gone = {**_as_announced(host.programme.talk(talk_id), old), "removed": True}
            _cancelled(session, talk_id, report, now, gone, _rev(old))
            old.cancelled, old.updated_at = True, now
    for talk in new.talks:
        snap = snapshots.get(talk.id)
        if snap is None:
            # first seen: as shown until now (a /move before the first snapshot still reads "moved from")
            shown = host.programme.talk(talk.id)
            first = shown if shown is not None and shown.start is not None else talk
            session.add(
                TalkSnapshot(
                    talk_id=talk.id,
                    start=talk.start,
                    end=talk.end,
                    room=talk.room,
                    cancelled=talk.cancelled,
                    updated_at=now,
                    first_start=first.start,
                    first_room=first.room,
                )
            )
            continue
        if snap.first_start is None and talk.start is not None:  # scheduled for the first time: no move
            snap.first_start, snap.first_room = talk.start, talk.room
        if talk.cancelled and not snap.cancelled:
            _cancelled(session, talk.id, report, now, _as_announced(talk, snap), _rev(snap))
        elif not talk.cancelled and (snap.start != talk.start or snap.room != talk.room or snap.cancelled):
            _moved(session, talk, snap, report, now, host.send_rates)
        snap.start, snap.end, snap.room, snap.cancelled, snap.updated_at = (
            talk.start,
            talk.end,
            talk.room,
            talk.cancelled,
            now,
        )
    announcements.replan(session, new, now=now)  # room channels follow moves, cancellations, new talks
    for step in APPLIED.values():  # other features' parts ("the recording is up", speakers' check-in asks)
        report.notices += step(session, host, new, now)
    return report


def announced(new: Programme, snapshots: dict[int, TalkSnapshot]) -> Programme:
    """``new`` with every talk at its last announced start, end, room and cancellation."""

    def as_announced(talk: Talk) -> Talk:
        snap = snapshots.get(talk.id)
        if snap is None:
            return talk
        update = {"start": snap.start, "end": snap.end, "room": snap.room, "cancelled": snap.cancelled}
        return talk.model_copy(update=update)

    return overrides.rebuild(new, (as_announced(t) for t in new.talks))


def _conflicts(new: Programme, snapshots: dict[int, TalkSnapshot], *, force: bool) -> list[conflicts.Conflict]:
    """Refuse conflicts the announced schedule does not have (unless forced); return the ones kept."""
    found = conflicts.find(new)
    if found and not force:
        known = {c.key for c in conflicts.find(announced(new, snapshots))}
        added = [c for c in found if c.key not in known]
        if added:
            raise ConflictRefused(added)
    return found


def _check(host: Host, snapshots: dict[int, TalkSnapshot], talks: dict[int, Talk], *, force: bool, source: str) -> None:
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
        raise ReloadRefused([_label(host, talks, i) for i in sorted(cancelling)], len(announced))


def _label(host: Host, talks: dict[int, Talk], talk_id: int) -> str:
    talk = talks.get(talk_id) or host.programme.talk(talk_id)
    return f"#{talk_id} {talk.title_en or talk.title}" if talk else f"#{talk_id}"


def snapshot_mark(host: Host) -> tuple[object, ...]:
    """A cheap fingerprint of ``talk_snapshots``: it changes whenever any process applies content."""
    with host.db.session() as session:
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


def _rev(snap: TalkSnapshot) -> str:
    """The announced state a notice changes, in its key: replicas diffing the same change agree on it,
    and a talk moved back and forth (or cancelled, restored and cancelled again) is announced each time."""
    return snap.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")


def _cancelled(
    session: Session, talk_id: int, report: ChangeReport, now: datetime, announced: dict[str, Any], rev: str
) -> None:
    report.cancelled.append(talk_id)
    reminders.cancel_for_talk(session, talk_id, reason="talk cancelled")
    key = f"cancelled:{talk_id}@{rev}"
    report.notices += outbox.enqueue_many(
        session,
        _subscribers(talk_id),
        kind="cancelled",
        key=key,
        due_at=now,
        payload={"talk": talk_id, **announced},
        now=now,
    )
    announcements.post_change(session, kind="cancelled", key=key, payload={"talk": talk_id, **announced}, now=now)


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
        "reinstated": snap.cancelled,  # back on the schedule after a cancellation
    }
    key = f"moved:{talk.id}:{payload['start']}:{talk.room}@{_rev(snap)}"
    report.notices += outbox.enqueue_many(
        session, _subscribers(talk.id), kind="moved", key=key, due_at=now, payload=payload, now=now
    )
    announcements.post_change(session, kind="moved", key=key, payload=payload, now=now)  # the changes channels
    report.reminders += reminders.replan_talk(session, talk, now=now, rates=rates)


def reload_from_path(host: Host, path: Path, *, force: bool = False, session: Session | None = None) -> ChangeReport:
    """Load the files (ContentError if broken), apply the organizers' overrides on top, and apply
    the result (ReloadRefused if too much goes or it adds conflicts)."""
    programme = overrides.with_stored(host.db, load_content(Path(path), host.settings.content_limits), session)
    return apply_programme(host, programme, force=force, source=str(path), session=session)
