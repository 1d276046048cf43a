"""Talk ratings: one to five stars per person per talk, an optional comment, and what organizers
and speakers read of them.

Pressing another star changes the rating (one row per user and talk, upserted atomically). Comments
are for organizers (``/stats`` counts them, the export lists them) and, anonymized, for the talk's
linked speakers; attendees never see anyone else's.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.db import insert_for
from bot.storage.models import Rating, User

if TYPE_CHECKING:
    from bot.host import Host

STARS = (1, 2, 3, 4, 5)
COMMENT_CHARS = 500
PERSON = "person"


def ratable(talk: Talk, now: datetime) -> bool:
    """A talk can be rated once it has started, unless it was cancelled."""
    return talk.start is not None and talk.start <= now and not talk.cancelled


def rate(session: Session, user_id: int, talk_id: int, stars: int, now: datetime) -> None:
    """Record ``stars`` (1–5) as this user's rating of the talk, replacing an earlier one."""
    if stars not in STARS:
        raise ValueError(f"stars must be 1-5, not {stars}")
    insert = insert_for(session)
    stmt = insert(Rating).values(user_id=user_id, talk_id=talk_id, stars=stars, created_at=now, updated_at=now)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id", "talk_id"], set_={"stars": stars, "updated_at": now}),
        execution_options={"synchronize_session": False},
    )


def mine(session: Session, user_id: int, talk_id: int) -> Rating | None:
    """This user's rating of the talk, if any."""
    return session.scalar(select(Rating).where(Rating.user_id == user_id, Rating.talk_id == talk_id))


def set_comment(session: Session, user_id: int, talk_id: int, text: str, now: datetime) -> bool:
    """Attach ``text`` (at most :data:`COMMENT_CHARS`) to the user's rating; False if there is none."""
    rating = mine(session, user_id, talk_id)
    if rating is None:
        return False
    rating.comment = text.strip()[:COMMENT_CHARS] or None
    rating.updated_at = now
    return True


@dataclass(frozen=True)
class TalkRatings:
    """One talk's ratings as organizers see them."""

    talk_id: int
    title: str  # "" when the talk is no longer in the programme
    title_en: str | None
    count: int
    mean: float
    distribution: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5 stars
    comments: int


def summary(session: Session, programme: Programme) -> tuple[TalkRatings, ...]:
    """Every rated talk, best mean first (then more ratings, then talk id); people only."""
    rows = session.execute(
        select(Rating.talk_id, Rating.stars, func.count(), func.count(Rating.comment))
        .join(User, User.id == Rating.user_id)
        .where(User.kind == PERSON)
        .group_by(Rating.talk_id, Rating.stars)
    ).all()
    per_talk: dict[int, list[int]] = {}
    comments: dict[int, int] = {}
    for talk_id, stars, count, commented in rows:
        per_talk.setdefault(talk_id, [0] * len(STARS))[stars - 1] += count
        comments[talk_id] = comments.get(talk_id, 0) + commented
    out = []
    for talk_id, dist in per_talk.items():
        count = sum(dist)
        talk = programme.talk(talk_id)
        mean = sum(stars * n for stars, n in zip(STARS, dist, strict=True)) / count
        title, title_en = (talk.title, talk.title_en) if talk else ("", None)
        out.append(TalkRatings(talk_id, title, title_en, count, round(mean, 2), tuple(dist), comments[talk_id]))
    return tuple(sorted(out, key=lambda r: (-r.mean, -r.count, r.talk_id)))


EXPORT_FIELDS = ("talk_id", "title", "title_en", "start", "end", "room", "stars", "comment", "rated_at")


def export_rows(session: Session, programme: Programme) -> list[dict[str, Any]]:
    """Every rating and comment with its talk and the talk's time, by talk then time; no user ids."""
    rows = session.execute(
        select(Rating.talk_id, Rating.stars, Rating.comment, Rating.updated_at)
        .join(User, User.id == Rating.user_id)
        .where(User.kind == PERSON)
        .order_by(Rating.talk_id, Rating.updated_at, Rating.id)
    ).all()
    out = []
    for talk_id, stars, comment, rated_at in rows:
        talk = programme.talk(talk_id)
        out.append(
            {
                "talk_id": talk_id,
                "title": talk.title if talk else "",
                "title_en": (talk.title_en or "") if talk else "",
                "start": _iso(talk.start if talk else None, programme),
                "end": _iso(talk.end if talk else None, programme),
                "room": (talk.room or "") if talk else "",
                "stars": stars,
                "comment": comment or "",
                "rated_at": _iso(rated_at, programme),
            }
        )
    return out


def _iso(at: datetime | None, programme: Programme) -> str:
    return at.astimezone(programme.tz).isoformat() if at else ""


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The export as CSV with a header row (cells that look like formulas are quoted with ')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(v) for k, v in row.items()})
    return out.getvalue()


def cell(value: object) -> object:
    """A comment starting with = + - @ would run as a formula in a spreadsheet: prefix it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(rows: list[dict[str, Any]]) -> str:
    """The export as a JSON array (UTF-8, not ASCII-escaped)."""
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def digest(session: Session, talk_ids: list[int]) -> list[dict[str, Any]]:
    """For a speaker's talks: each one's distribution and its comments, anonymized (no names, no ids,
    best-rated first, then oldest first)."""
    out = []
    for talk_id in talk_ids:
        rows = session.execute(
            select(Rating.stars, Rating.comment)
            .join(User, User.id == Rating.user_id)
            .where(Rating.talk_id == talk_id, User.kind == PERSON)
            .order_by(Rating.stars.desc(), Rating.updated_at, Rating.id)
        ).all()
        dist = [0] * len(STARS)
        for stars, _ in rows:
            dist[stars - 1] += 1
        out.append({"talk": talk_id, "distribution": dist, "comments": [c for _, c in rows if c]})
    return out


def export(host: Host, fmt: str) -> str:
    """``confbot feedback export``: every rating and comment as ``csv`` or ``json``, without user ids."""
    with host.db.session() as session:
        rows = export_rows(session, host.programme)
    return to_json(rows) if fmt == "json" else to_csv(rows)
