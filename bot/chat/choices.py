"""Buttons on a text-only platform: each shown as a letter the person types (``[a] Subscribe``).

The terminal keeps its letters in memory; a platform served by several replicas (WeChat) keeps
them in ``chat_choices``, per person. There, only single letters count (``a`` … ``z``), so a word
like "AI" or "be" is always text, never a button. Letters go on from the ones already shown (a
push's buttons after the answer's), so a letter typed from an earlier message still presses what it
said, until a message's buttons no longer fit in the 26 letters or :data:`FRESH_FOR` passed without
new buttons: then they start again at ``a``. A button past ``z`` is shown without a letter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.storage.db import insert_for
from bot.storage.models import ChatChoices

LETTERS = 26  # a … z
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
    """Keep ``actions`` after the ones already shown; returns the number of the first (from 1).

    The person's row is locked first (a placeholder inserted if it is new), so two messages rendered
    at once (an answer and a push) never get the same letters."""
    insert = insert_for(session)
    session.execute(
        insert(ChatChoices)
        .values(platform=platform, user_id=user_id, actions=[], updated_at=now)
        .on_conflict_do_nothing(index_elements=[ChatChoices.platform, ChatChoices.user_id])
    )
    mine = (ChatChoices.platform == platform, ChatChoices.user_id == user_id)
    row = session.execute(select(ChatChoices.actions, ChatChoices.updated_at).where(*mine).with_for_update()).one()
    shown: list[str] = list(row.actions or [])
    if now - row.updated_at >= FRESH_FOR or len(shown) + len(actions) > LETTERS:
        shown = []
    session.execute(update(ChatChoices).where(*mine).values(actions=shown + actions, updated_at=now))
    return len(shown) + 1


def pressed(session: Session, platform: str, user_id: str, text: str) -> str | None:
    """The action of the button whose letter ``text`` is (one letter), or None (not a letter, none shown)."""
    key = text.strip()
    if len(key) != 1:
        return None
    n = button_number(key)
    if n is None:
        return None
    actions = session.execute(
        select(ChatChoices.actions).where(ChatChoices.platform == platform, ChatChoices.user_id == user_id)
    ).scalar()
    if not actions or n > len(actions):
        return None
    action = actions[n - 1]
    return action if isinstance(action, str) else None
