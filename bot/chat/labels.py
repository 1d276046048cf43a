"""Button labels that fit: cut at a word boundary, with an ellipsis, by display width.

A CJK character takes two columns on every chat client, so widths are counted with
``wcwidth`` rather than with ``len``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from wcwidth import wcswidth, wcwidth

ELLIPSIS = "…"
LABEL_WIDTH = 40  # columns of a button alone on its row
HALF_WIDTH = 28  # columns of a button sharing its row with another


def width(text: str) -> int:
    """Display columns of ``text`` (wide characters count two, controls zero)."""
    total = wcswidth(text)
    return total if total >= 0 else sum(max(0, wcwidth(ch)) for ch in text)


def _wordy(ch: str) -> bool:
    """A character that belongs to a space-separated word (Latin letters and digits, not CJK)."""
    return (ch.isalnum() or ch in "_'’-") and wcwidth(ch) == 1


@lru_cache(maxsize=16_384)  # the same talks' labels, page after page
def fit(text: str, columns: int = LABEL_WIDTH) -> str:
    """``text`` within ``columns`` display columns: cut between words (CJK characters are words
    of their own) and marked with "…". A single word too long for the label is cut inside."""
    text = " ".join(text.split())
    if width(text) <= columns:
        return text
    budget = columns - width(ELLIPSIS)
    used, cut = 0, 0
    for i, ch in enumerate(text):
        used += max(0, wcwidth(ch))
        if used > budget:
            break
        cut = i + 1
    head = text[:cut]
    if cut < len(text) and head and _wordy(head[-1]) and _wordy(text[cut]):  # mid-word: back off
        start = len(head)
        while start > 0 and _wordy(head[start - 1]):
            start -= 1
        if width(head[:start].rstrip()) * 3 >= budget:  # a hard cut only when a word would be all that is left
            head = head[:start]
    head = head.rstrip()
    while head and unicodedata.category(head[-1])[0] in "PZ" and head[-1] not in ")）]】»”":
        head = head[:-1]
    return (head or text[:cut]) + ELLIPSIS
