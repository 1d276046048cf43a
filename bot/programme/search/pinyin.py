"""Pinyin as typed: tone marks and numbers, ü, syllable boundaries and initials.

An attendee types 陈莉君 as ``chenlijun``, ``Chén Lìjūn``, ``chen2 li4 jun1`` or ``clj``. The
index keys a Chinese text by its toneless syllables (ü written as u) and their initials; this
module turns what was typed into the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pypinyin import lazy_pinyin

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MARKS = re.compile("[\u0300-\u036f]")  # combining diacritics: tone marks and the two dots of ü
_TONED = re.compile(r"(?:[a-z]+[1-5])+[a-z]*")  # "chen2", "li4jun1", "chen2lijun"


def strip_marks(text: str) -> str:
    """Remove Latin diacritics: ``Chén Lìjūn`` → ``Chen Lijun``, ``lǜ`` → ``lu`` (CJK untouched)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if not _MARKS.search(decomposed):
        return text
    return unicodedata.normalize("NFC", _MARKS.sub("", decomposed))


def syllables(text: str) -> list[str]:
    """Toneless lowercase syllables of the Chinese characters: ``陈莉君`` → ``['chen', 'li', 'jun']``."""
    return [strip_marks(s).lower() for run in _CJK_RUN.findall(text) for s in lazy_pinyin(run, v_to_u=True)]


def runs(parts: list[str], longest: int = 0) -> set[str]:
    """Every run of consecutive syllables joined (up to ``longest`` syllables; 0: any length)."""
    longest = longest or len(parts)
    return {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, min(len(parts), i + longest) + 1)}


def initials(parts: list[str]) -> str:
    """First letter of each syllable: ``['chen', 'li', 'jun']`` → ``clj``."""
    return "".join(p[0] for p in parts if p)


@cache
def all_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (about 420)."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {p for value in set(pinyin_dict.values()) for p in value.split(",")}
    return frozenset(strip_marks(p).lower() for p in readings)


def is_pinyin(word: str) -> bool:
    """Whether ``word`` splits into whole pinyin syllables: ``chenlijun`` yes, ``chenl`` no."""
    known = all_syllables()
    ends = {0}  # positions a split can reach
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in known for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(word) in ends and bool(word)


def strip_tone_numbers(word: str) -> str:
    """``chen2`` → ``chen``, ``li4jun1`` → ``lijun``; words that aren't numbered pinyin stay (``k8s``, ``ext4``)."""
    if not _TONED.fullmatch(word):
        return word
    letters = re.split(r"[1-5]", word)
    if all(is_pinyin(part) for part in letters if part):
        return "".join(letters)
    return word
