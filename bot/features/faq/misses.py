"""Questions that found nothing, counted by their folded text, for organizers to add FAQ entries.

Only the text is kept (folded, at most :data:`MISS_CHARS` characters), never who asked: a person's
``/forget`` has nothing here to erase, and ``docs/privacy.md`` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.features.faq.recognise import fold
from bot.storage.db import insert_for
from bot.storage.models import FaqMiss

MISS_CHARS = 100
_PUNCTUATION = "\\s!?.,;:~。！？，、；：～…\"'“”‘’"
_EDGES = re.compile(f"^[{_PUNCTUATION}]+|[{_PUNCTUATION}]+$")


@dataclass(frozen=True)
class Miss:
    """A question that found nothing, and how often it was asked."""

    text: str
    count: int


def miss_key(text: str) -> str:
    """How a question is counted: folded, single spaces, no punctuation around it (``Parking?`` → ``parking``)."""
    return _EDGES.sub("", " ".join(fold(text).split()))[:MISS_CHARS]


def record(session: Session, text: str, now: datetime) -> None:
    """Count one more asking of ``text`` (nothing for a text with no letters or digits)."""
    key = miss_key(text)
    if not key:
        return
    stmt = insert_for(session)(FaqMiss).values(text=key, count=1, first_at=now, last_at=now)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["text"], set_={"count": FaqMiss.count + 1, "last_at": now}),
        execution_options={"synchronize_session": False},
    )


def most_asked(session: Session) -> tuple[Miss, ...]:
    """Every question that found nothing, the most asked first (ties by text)."""
    rows = session.execute(select(FaqMiss.text, FaqMiss.count).order_by(FaqMiss.count.desc(), FaqMiss.text))
    return tuple(Miss(text, count) for text, count in rows)
