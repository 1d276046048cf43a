"""Showing times: always in the conference timezone and always with the zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t

_WEEKDAYS = {
    "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    "zh-hant": ["週一", "週二", "週三", "週四", "週五", "週六", "週日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def utc_offset(dt: datetime) -> str:
    """``UTC+8``, ``UTC-3:30``, ``UTC``."""
    offset = dt.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def clock_time(dt: datetime, tz: ZoneInfo) -> str:
    """``10:30`` in ``tz``, without the zone (for lists that state the zone once)."""
    return dt.astimezone(tz).strftime("%H:%M")


def format_time(dt: datetime, tz: ZoneInfo) -> str:
    """``10:30 (UTC+8)``."""
    local = dt.astimezone(tz)
    return f"{local:%H:%M} ({utc_offset(local)})"


def format_span(start: datetime, end: datetime | None, tz: ZoneInfo) -> str:
    """``10:30–11:10 (UTC+8)``."""
    if end is None:
        return format_time(start, tz)
    local = start.astimezone(tz)
    return f"{local:%H:%M}–{end.astimezone(tz):%H:%M} ({utc_offset(local)})"


def format_day(day: date, lang: str) -> str:
    """``12月12日 周六`` / ``Sat 12 Dec``."""
    weekday = _WEEKDAYS.get(lang, _WEEKDAYS["en"])[day.weekday()]
    if lang.startswith("zh"):
        return f"{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {day:%b}"


def format_when(dt: datetime, tz: ZoneInfo, lang: str) -> str:
    """Day and time: ``12月12日 周六 10:30 (UTC+8)``."""
    return f"{format_day(dt.astimezone(tz).date(), lang)} {format_time(dt, tz)}"


def countdown(left: timedelta, lang: str) -> str:
    """``3 days 5 hours``, ``5 hours 20 minutes``, ``20 minutes`` (``3 天 5 小时``): the two largest units,
    rounded down, at least a minute."""
    minutes = max(1, int(left.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [("day", days), ("hour", hours)] if days else [("hour", hours), ("minute", minutes)]
    parts = [t(lang, f"countdown.{unit}" + ("" if n == 1 else "s"), n=n) for unit, n in units if n]
    return " ".join(parts)
