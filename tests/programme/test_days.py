"""Natural day words: which conference day a person means."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.programme.days import conference_day, number

DAYS = [date(2026, 12, 12), date(2026, 12, 13)]  # Saturday, Sunday
SAT, SUN = DAYS


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", SAT),
        ("今天", SAT),
        ("明天", SUN),
        ("tomorrow", SUN),
        ("Tomorrow.", SUN),
        ("第二天", SUN),
        ("第一天", SAT),
        ("第 2 天", SUN),
        ("day 2", SUN),
        ("day2", SUN),
        ("the second day", SUN),
        ("2nd day", SUN),
        ("周日", SUN),
        ("週六", SAT),
        ("星期天", SUN),
        ("礼拜六", SAT),
        ("sunday", SUN),
        ("SAT", SAT),
        ("12月13日", SUN),
        ("12月12号", SAT),
        ("2026年12月13日", SUN),
        ("13日", SUN),
        ("2026-12-13", SUN),
        ("12/13", SUN),
        ("Dec 13", SUN),
        ("13th December 2026", SUN),
        ("december 12, 2026", SAT),
        ("２", SUN),
    ],
)
def test_names_of_conference_days(text: str, day: date) -> None:
    assert conference_day(text, DAYS, today=SAT) == day


@pytest.mark.parametrize(
    "text", ["后天", "yesterday", "day 3", "第三天", "monday", "12月14日", "2025-12-13", "Dec 14", "2 3", "soon", ""]
)
def test_days_the_conference_does_not_have_or_words_that_are_no_day(text: str) -> None:
    assert conference_day(text, DAYS, today=SAT) is None


def test_a_weekday_prefers_the_next_one_from_today() -> None:
    two_weeks = [date(2026, 12, 12) + timedelta(days=i) for i in range(14)]
    assert conference_day("sunday", two_weeks, today=date(2026, 12, 14)) == date(2026, 12, 20)
    assert conference_day("sunday", two_weeks, today=date(2026, 12, 12)) == date(2026, 12, 13)


@pytest.mark.parametrize(
    ("word", "value"), [("二", 2), ("十", 10), ("十二", 12), ("二十三", 23), ("two", 2), ("x", None)]
)
def test_chinese_and_english_numbers(word: str, value: int | None) -> None:
    assert number(word) == value
