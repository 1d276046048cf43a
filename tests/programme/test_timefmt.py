"""Times are always shown with their zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.programme.timefmt import format_day, format_span, format_time, utc_offset

SH = ZoneInfo("Asia/Shanghai")


def test_time_carries_the_zone_in_conference_time() -> None:
    utc = datetime(2026, 12, 12, 2, 30, tzinfo=ZoneInfo("UTC"))
    assert format_time(utc, SH) == "10:30 (UTC+8)"
    assert format_span(utc, datetime(2026, 12, 12, 3, 10, tzinfo=ZoneInfo("UTC")), SH) == "10:30–11:10 (UTC+8)"


def test_half_hour_and_negative_offsets() -> None:
    assert utc_offset(datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata"))) == "UTC+5:30"
    assert utc_offset(datetime(2026, 1, 1, tzinfo=ZoneInfo("America/St_Johns"))) == "UTC-3:30"


def test_day_names_in_both_languages() -> None:
    assert format_day(date(2026, 12, 12), "zh") == "12月12日 周六"
    assert format_day(date(2026, 12, 12), "en") == "Sat 12 Dec"
