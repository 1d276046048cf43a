"""Which FAQ entry a message asks about, and how surely.

A message is folded (NFKC, casefold, Traditional to Simplified, ``wi-fi`` as ``wifi``) and compared with
each entry two ways: how close it is to one of the entry's questions, and how much of it the entry's
keywords cover once the words every question has are set aside (where, is, 请问, 在哪, 吗 …). A message
that is (nearly) a question, or mostly keywords, is a strong match and answered from the entry; one
that merely mentions a keyword ("XDP lunch and learn") is a weak match, offered beside the talks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.features.faq.entries import Entry, entries
from bot.programme.content.programme import Programme
from bot.programme.search.chinese import to_simplified

STRONG_COVER = 0.6  # the share of a message its keywords must cover to be answered from the entry
STRONG_RATIO = 88  # or how close (0-100) it must be to one of the entry's questions
WEAK_RATIO = 72
WEAK_WEIGHT = 3  # a keyword shorter than this (a letter or two) is no evidence on its own
CJK_WEIGHT = 2  # one Chinese character says about as much as two Latin letters

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_JOINER = re.compile(r"(?<=[a-z0-9])[-_‐·.](?=[a-z0-9])")
_PARTS = re.compile(f"[a-z0-9]+|[{_CJK}]+")
# the words of a question that say nothing about what is asked
_STOP = frozenset(
    [
        "where",
        "is",
        "are",
        "the",
        "a",
        "an",
        "what",
        "whats",
        "how",
        "do",
        "does",
        "did",
        "can",
        "could",
        "i",
        "we",
        "my",
        "me",
        "to",
        "of",
        "for",
        "in",
        "at",
        "on",
        "please",
        "pls",
        "there",
        "any",
        "when",
        "which",
        "who",
        "it",
        "its",
        "this",
        "that",
        "you",
        "your",
        "get",
        "find",
        "tell",
        "about",
        "time",
        "today",
        "s",
        "hi",
        "hello",
        "hey",
        "and",
        "or",
        "is",
        "do",
        "be",
    ]
)
_FILLER = re.compile(
    "|".join(
        sorted(
            [
                "请问",
                "你好",
                "您好",
                "在哪里",
                "在哪儿",
                "在哪",
                "哪里",
                "哪儿",
                "怎么样",
                "怎么",
                "如何",
                "什么时候",
                "什么",
                "几点",
                "是多少",
                "多少",
                "有没有",
                "有吗",
                "吗",
                "呢",
                "啊",
                "呀",
                "吧",
                "的",
                "了",
                "在",
                "是",
                "有",
                "我",
                "我们",
                "要",
                "去",
                "能",
                "可以",
                "想",
                "请",
                "一下",
                "知道",
                "哪",
                "谁",
                "几",
                "个",
                "今天",
                "现在",
                "给",
                "问",
            ],
            key=len,
            reverse=True,
        )
    )
)


def fold(text: str) -> str:
    """A message or keyword as they are compared: ``Wi-Fi 密碼`` → ``wifi 密码``."""
    return _JOINER.sub("", to_simplified(unicodedata.normalize("NFKC", text).casefold()))


def _compact(text: str) -> str:
    return "".join(_PARTS.findall(fold(text)))


def _pattern(keyword: str) -> re.Pattern[str] | None:
    word = fold(keyword).strip()
    if not word:
        return None
    if re.search(f"[{_CJK}]", word):
        return re.compile(re.escape(word))
    inner = r"\s*".join(re.escape(w) for w in word.split())
    return re.compile(rf"(?<![a-z0-9]){inner}(?:s|es)?(?![a-z0-9])")


def _weight(text: str) -> int:
    return sum(CJK_WEIGHT if re.match(f"[{_CJK}]", c) else 1 for c in text if not c.isspace())


@dataclass(frozen=True)
class Match:
    """An entry and how surely the message asks about it."""

    entry: Entry
    strong: bool
    score: float  # 0-1, to rank entries against each other


@dataclass(frozen=True)
class _Indexed:
    entry: Entry
    patterns: tuple[re.Pattern[str], ...]
    questions: tuple[str, ...]  # compact
    any_pattern: re.Pattern[str] | None = None  # finds something exactly when one of ``patterns`` does


class FaqIndex:
    """The entries of one programme, ready to match messages against."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.entries = entries(programme)
        self._indexed = []
        for e in self.entries:
            patterns = tuple(p for p in map(_pattern, e.keywords) if p is not None)
            either = re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None
            questions = tuple(q for q in map(_compact, (*e.questions, *e.questions_en)) if q)
            self._indexed.append(_Indexed(e, patterns, questions, either))

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def match(self, message: str) -> Match | None:
        """The entry ``message`` asks about most surely, or None when none is even mentioned."""
        text = fold(message)[:200]
        compact = "".join(_PARTS.findall(text))
        if not compact:
            return None
        best: Match | None = None
        for item in self._indexed:
            found = _judge(item, text, compact)
            if found is not None and (best is None or (found.strong, found.score) > (best.strong, best.score)):
                best = found
        return best


def _judge(item: _Indexed, text: str, compact: str) -> Match | None:
    ratio = max((fuzz.ratio(q, compact) for q in item.questions), default=0.0)
    # one search for all the keywords first: most messages mention none of an entry's
    found = item.any_pattern is not None and item.any_pattern.search(text) is not None
    hits = [hit.span() for pattern in item.patterns for hit in pattern.finditer(text)] if found else []
    if not hits:  # no keyword: only the closeness to a question counts (as below with nothing covered)
        return Match(item.entry, ratio >= STRONG_RATIO, ratio / 100) if ratio >= WEAK_RATIO else None
    covered = [False] * len(text)
    for start, end in hits:
        covered[start:end] = [True] * (end - start)
    matched = _weight("".join(c for c, on in zip(text, covered, strict=True) if on))
    rest_text = "".join(" " if on else c for c, on in zip(text, covered, strict=True))
    rest = 0
    for part in _PARTS.findall(rest_text):
        if re.match(f"[{_CJK}]", part):
            rest += _weight(_FILLER.sub("", part))
        elif part not in _STOP:
            rest += len(part)
    cover = matched / (matched + rest) if matched else 0.0
    strong = ratio >= STRONG_RATIO or (matched >= WEAK_WEIGHT and cover >= STRONG_COVER)
    if not strong and ratio < WEAK_RATIO and matched < WEAK_WEIGHT:
        return None
    return Match(item.entry, strong, max(ratio / 100, cover))


_last: FaqIndex | None = None


def index_for(programme: Programme) -> FaqIndex:
    """The FAQ index of ``programme``, built once per programme (a reload builds a new one)."""
    global _last
    found = _last
    if found is None or found.programme is not programme:
        found = FaqIndex(programme)
        _last = found  # one assignment: a request thread sees the old index or the new one
    return found
