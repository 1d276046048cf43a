"""Text helpers for search: normalization, pinyin, and the keys a text is indexed under."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pypinyin import lazy_pinyin

from bot.programme.search.chinese import to_simplified
from bot.programme.search.pinyin import strip_marks, strip_tone_numbers, syllables

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{_CJK_CLASS}]")
CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
# A Latin word: letters/digits, keeping inner joiners so "af_xdp", "co-re", "next.js" stay whole.
WORD = re.compile(r"[a-z0-9][a-z0-9+#._-]*[a-z0-9+#]|[a-z0-9]")
# What a query is split into: Latin words and runs of Chinese characters (Chinese has no spaces).
TERM = re.compile(f"{WORD.pattern}|[{_CJK_CLASS}]+")


def normalize(text: str) -> str:
    """NFKC, Latin accents and tone marks off, casefold: ``ＸＤＰ`` → ``xdp``, ``Chén`` → ``chen``."""
    return strip_marks(unicodedata.normalize("NFKC", text)).casefold()


def fold(text: str) -> str:
    """What the index stores and looks up: :func:`normalize`, then Traditional to Simplified."""
    return to_simplified(normalize(text))


def is_cjk(term: str) -> bool:
    """Whether the term is made of Chinese characters."""
    return bool(CJK.match(term))


def pinyin_of(text: str) -> str:
    """Toneless pinyin with no spaces: ``陈莉君`` → ``chenlijun`` (ü as u; other characters kept)."""
    return normalize("".join(lazy_pinyin(text, v_to_u=True))).replace(" ", "")


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin syllables of the Chinese characters: ``陈莉君`` → ``['chen', 'li', 'jun']``."""
    return syllables(text)


def index_keys(normalized: str) -> Iterator[str]:
    """Keys a normalized text is indexed under: Latin words, Chinese characters and character pairs."""
    yield from WORD.findall(normalized)
    for run in CJK_RUN.findall(normalized):
        yield from run
        for i in range(len(run) - 1):
            yield run[i : i + 2]


def query_terms(query: str, limit: int = 8) -> list[str]:
    """The distinct terms of a query, in order: Latin words and runs of Chinese characters.

    Tone numbers come off pinyin (``chen2`` → ``chen``) and Chinese is folded to Simplified.
    """
    terms: list[str] = []
    for term in TERM.findall(normalize(query)):
        term = to_simplified(term) if is_cjk(term) else strip_tone_numbers(term)
        if term not in terms:
            terms.append(term)
    return terms[:limit]
