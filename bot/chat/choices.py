"""Buttons on a text-only platform: each shown as a letter the person types (``[a] Subscribe``).

The terminal keeps its letters in memory; a platform served by several replicas (WeChat) keeps
them in ``chat_choices``, per person. Letters go on from the ones already shown (a push's buttons
after the answer's), so a letter typed from an earlier message still presses what it said, until
:data:`KEPT` letters or :data:`FRESH_FOR` without new buttons start the list again at ``a``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.db import insert_for
from bot.storage.models import ChatChoices

KEPT = 26 * 4  # letters remembered per person before they start again at "a"
FRESH_FOR = timedelta(hours=12)


def button_key(n: int) -> str:
    """The letters of the ``n``-th button (from 1): ``a`` … ``z``, ``aa`` … ``az``, ``ba`` …"""
    key = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        key = chr(ord("a") + rest) + key
    return key


def button_number(text: str) -> int | None:
    """The position (from 1) a typed key names (``b`` is 2, ``B`` too); None for anything else."""
    key = text.strip().lower()
    if not key or len(key) > 3 or not all("a" <= c <= "z" for c in key):
        return None
    n = 0
    for c in key:
        n = n * 26 + ord(c) - ord("a") + 1
    return n


def remember(session: Session, platform: str, user_id: str, actions: list[str], now: datetime) -> int:
    """Keep ``actions`` after the ones already shown; returns the number of the first (from 1)."""
    row = session.get(ChatChoices, (platform, user_id))
    shown: list[str] = []
    if row is not None and now - row.updated_at < FRESH_FOR and len(row.actions) + len(actions) <= KEPT:
        shown = list(row.actions)
    start = len(shown) + 1
    kept = shown + actions
    insert = insert_for(session)
    session.execute(
        insert(ChatChoices)
        .values(platform=platform, user_id=user_id, actions=kept, updated_at=now)
        .on_conflict_do_update(
            index_elements=[ChatChoices.platform, ChatChoices.user_id], set_={"actions": kept, "updated_at": now}
        )
    )
    return start


def pressed(session: Session, platform: str, user_id: str, text: str) -> str | None:
    """The action of the button whose letter ``text`` is, or None (not a letter, or none shown)."""
    n = button_number(text)
    if n is None:
        return None
    actions = session.execute(
        select(ChatChoices.actions).where(ChatChoices.platform == platform, ChatChoices.user_id == user_id)
    ).scalar()
    if not actions or n > len(actions):
        return None
    action = actions[n - 1]
    return action if isinstance(action, str) else None
