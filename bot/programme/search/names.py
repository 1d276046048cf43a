"""Picking a room or track by what an attendee types: its id, its name, or a word of either."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot.programme.search.english import stem
from bot.programme.search.text import WORD, fold, is_cjk, query_terms


class Named(Protocol):
    """A room or a track."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...


N = TypeVar("N", bound=Named)

REF_MARK = "~"  # a button's short reference to a room or track: "~" and 8 hex digits of its id's hash
MAX_PLAIN_ID = 24  # bytes: an id this short and without spaces is its own reference


def ref(entry_id: str) -> str:
    """How a button names a room or track: its id when short and one word, else ``~`` and a stable
    hash of the id (the same across reloads and replicas), so that a button's action stays far below
    Telegram's 64 bytes whatever the ids are. :func:`find_named` resolves both."""
    plain = entry_id.split() == [entry_id] and not entry_id.startswith(REF_MARK)
    if plain and len(entry_id.encode()) <= MAX_PLAIN_ID:
        return entry_id
    return REF_MARK + hashlib.blake2s(entry_id.encode(), digest_size=4).hexdigest()


def find_named(wanted: str, entries: Sequence[N]) -> N | None:
    """The entry whose id or name is ``wanted``, else the only one whose id or names hold its words.

    ``cloud`` and ``Containers`` pick "Containers & Cloud Native", ``可观测`` picks 可观测与追踪,
    ``container`` too (word forms count). None when nothing or several match.
    """
    key = fold(wanted).strip()
    if not key:
        return None
    if key.startswith(REF_MARK):  # a button's reference (see ref)
        for entry in entries:
            if ref(entry.id) == wanted.strip():
                return entry
    for entry in entries:
        if key in {fold(entry.id), fold(entry.name), fold(entry.name_en or "")}:
            return entry
    words = query_terms(key)
    found = [entry for entry in entries if words and all(_holds(entry, word) for word in words)]
    return found[0] if len(found) == 1 else None


def _holds(entry: Named, word: str) -> bool:
    names = fold(f"{entry.name} {entry.name_en or ''}")
    if is_cjk(word):
        return word in names
    if len(word) >= 2 and word in fold(entry.id):
        return True
    return stem(word) in {stem(w) for w in WORD.findall(names)}
