"""Which conference day a person means: ``2``, ``day 2``, ``第二天``, ``明天``, ``tomorrow``, ``周日``,
``sunday``, ``12月13日``, ``Dec 13``, ``2026-12-13``.

A small table-driven parser rather than ``dateparser``: that library is heavy to import, reads
relative words against the system clock rather than the bot's, and has no notion of "the second
conference day" (``第二天`` is "day 2" here, not "the day after"). Relative words are resolved
against ``today`` in the event's time zone, which the caller takes from the bot's clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

RELATIVE = {
    "today": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "day after tomorrow": 2,
    "今天": 0,
    "今日": 0,
    "本日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "後天": 2,
    "昨天": -1,
    "昨日": -1,
}
_EN_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ZH_WEEKDAYS = "一二三四五六日"
WEEKDAYS: dict[str, int] = {
    **{name: i for i, name in enumerate(_EN_WEEKDAYS)},
    **{name[:3]: i for i, name in enumerate(_EN_WEEKDAYS)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
    **{f"{p}{ch}": i for p in ("周", "週", "星期", "礼拜", "禮拜") for i, ch in enumerate(_ZH_WEEKDAYS)},
    **{f"{p}天": 6 for p in ("周", "週", "星期", "礼拜", "禮拜")},
}
MONTHS: dict[str, int] = {
    name: i
    for i, full in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october"]
        + ["november", "december"],
        1,
    )
    for name in (full, full[:3], "sept" if full == "september" else full[:3])
}
ORDINALS = {
    word: i
    for i, words in enumerate(
        [
            ("one", "first", "1st"),
            ("two", "second", "2nd"),
            ("three", "third", "3rd"),
            ("four", "fourth", "4th"),
            ("five", "fifth", "5th"),
            ("six", "sixth", "6th"),
            ("seven", "seventh", "7th"),
            ("eight", "eighth", "8th"),
            ("nine", "ninth", "9th"),
            ("ten", "tenth", "10th"),
        ],
        1,
    )
    for word in words
}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_ZH_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"\d{1,2}(?:st|nd|rd|th)?|[零〇一二两兩三四五六七八九十]{1,3}|[a-z]+"
_INDEX = re.compile(rf"(?:day\s*|d|第\s*)?({_NUMBER})\s*(?:天|日)?|({_NUMBER})\s*day|the\s+({_NUMBER})\s+day")
_MONTH_DAY = re.compile(r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号號]?")
_DAY_OF_MONTH = re.compile(r"(\d{1,2})\s*[日号號]")
_NAMED_MONTH = re.compile(
    r"([a-z]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?|(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?"
)


def number(word: str) -> int | None:
    """``2``, ``二``, ``十二``, ``two``, ``second``, ``2nd`` as a number; None otherwise."""
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", word):
        return int(m.group(1))
    if word in ORDINALS:
        return ORDINALS[word]
    if word and all(ch in _ZH_DIGITS or ch == "十" for ch in word):
        tens, _, ones = word.partition("十")
        if "十" not in word:
            return _ZH_DIGITS[word] if len(word) == 1 else None
        high = 1 if not tens else _ZH_DIGITS.get(tens)
        low = 0 if not ones else _ZH_DIGITS.get(ones)
        return None if high is None or low is None else high * 10 + low
    return None


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return re.sub(r"\s+", " ", text).rstrip(".。!！?？")


def conference_day(text: str, days: Sequence[date], today: date) -> date | None:
    """The conference day (one of ``days``, in order) that ``text`` names, or None when it names
    none: not understood, or a day the conference does not have."""
    key = _normal(text)
    wanted: date | None = None
    if key in RELATIVE:
        wanted = today + timedelta(days=RELATIVE[key])
    elif key in WEEKDAYS:
        matching = [d for d in days if d.weekday() == WEEKDAYS[key]]
        wanted = next((d for d in matching if d >= today), matching[0] if matching else None)
    elif m := _MONTH_DAY.fullmatch(key):
        year, month, day = m.groups()
        wanted = next((d for d in days if (d.month, d.day) == (int(month), int(day)) and _year(d, year)), None)
    elif m := _DAY_OF_MONTH.fullmatch(key):
        wanted = next((d for d in days if d.day == int(m.group(1))), None)
    elif m := _INDEX.fullmatch(key):
        index = number(next(g for g in m.groups() if g))
        wanted = days[index - 1] if index is not None and 1 <= index <= len(days) else None
    elif m := _NAMED_MONTH.fullmatch(key):
        month_word, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(5, 4, 6)
        month = MONTHS.get(month_word)
        wanted = next((d for d in days if (d.month, d.day) == (month, int(day)) and _year(d, year)), None)
    return wanted if wanted in days else None


def _year(day: date, year: str | None) -> bool:
    return year is None or day.year == int(year)
