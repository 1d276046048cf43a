"""Text helpers for search: normalization, pinyin, and the keys a text is indexed under."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pypinyin import lazy_pinyin

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{_CJK_CLASS}]")
CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
# A Latin word: letters/digits, keeping inner joiners so "af_xdp", "co-re", "next.js" stay whole.
WORD = re.compile(r"[a-z0-9][a-z0-9+#._-]*[a-z0-9+#]|[a-z0-9]")
# What a query is split into: Latin words and runs of Chinese characters (Chinese has no spaces).
TERM = re.compile(f"{WORD.pattern}|[{_CJK_CLASS}]+")


def normalize(text: str) -> str:
    """NFKC + casefold: full-width letters, ideographic spaces and case don't matter."""
    return unicodedata.normalize("NFKC", text).casefold()


def is_cjk(term: str) -> bool:
    """Whether the term is made of Chinese characters."""
    return bool(CJK.match(term))


def pinyin_of(text: str) -> str:
    """Toneless pinyin with no spaces: ``陈莉君`` → ``chenlijun`` (other characters kept)."""
    return normalize("".join(lazy_pinyin(text))).replace(" ", "")


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin syllables of the Chinese characters: ``陈莉君`` → ``['chen', 'li', 'jun']``."""
    return [normalize(s) for run in CJK_RUN.findall(text) for s in lazy_pinyin(run)]


def pinyin_runs(text: str) -> str:
    """Pinyin of each run of Chinese characters, runs separated by spaces (a text's pinyin field)."""
    return " ".join("".join(lazy_pinyin(run)) for run in CJK_RUN.findall(text))


def index_keys(normalized: str) -> Iterator[str]:
    """Keys a normalized text is indexed under: Latin words, Chinese characters and character pairs."""
    yield from WORD.findall(normalized)
    for run in CJK_RUN.findall(normalized):
        yield from run
        for i in range(len(run) - 1):
            yield run[i : i + 2]


def query_terms(query: str, limit: int = 8) -> list[str]:
    """The distinct terms of a query, in order: Latin words and runs of Chinese characters."""
    terms: list[str] = []
    for term in TERM.findall(normalize(query)):
        if term not in terms:
            terms.append(term)
    return terms[:limit]
