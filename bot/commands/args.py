"""Argument parsing shared by the commands: the command/action grammar, talk ids, days, pages.

A typed command is ``/name args``; a button's ``action`` is the same grammar with the slash
optional (``"sub 12"`` is ``/sub 12``), so buttons and commands share one code path.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from bot.commands import Context, UsageError


def parse_command(text: str) -> tuple[str, str] | None:
    """Split ``/name@bot args`` into ``(name, args)``; None if ``text`` is no command."""
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    if "\n" in head:  # "/broadcast" then Enter: the command ends at the line break too
        head, _, rest = head.partition("\n")
        args = f"{rest} {args}" if args else rest
    name = head.split("@", 1)[0].strip().lower()
    return name, args.strip()


def parse_action(action: str) -> tuple[str, str]:
    """A button's action as ``(name, args)``: always a command, the slash optional."""
    head, _, rest = action.strip().lstrip("/").partition(" ")
    return head.lower(), rest.strip()


def command_of(text: str, action: str | None) -> tuple[str, str]:
    """What a request asks for: a button's action, a typed command, or else a search."""
    if action is not None:
        return parse_action(action)
    return parse_command(text.strip()) or ("search", text.strip())


# dashes and pluses that NFKC leaves alone but people (and phones) type as signs
_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
MAX_DIGITS = 9


def parse_number(text: str) -> int | None:
    """An integer however it was typed: ``12``, full-width ``１２``, superscript ``²``, other
    scripts' digits, ``+3``, ``−1``; None if ``text`` is not one (or has more than 9 digits)."""
    normal = unicodedata.normalize("NFKC", text).strip().translate(_SIGNS)
    digits = normal[1:] if normal[:1] in ("+", "-") else normal
    if not digits.isdecimal() or len(digits) > MAX_DIGITS:
        return None
    return -int(digits) if normal.startswith("-") else int(digits)


def talk_id_arg(ctx: Context, args: str) -> int:
    """The talk id in ``args`` (``12`` or ``#12``, any digits), checked to exist."""
    talk_id = parse_number(unicodedata.normalize("NFKC", args).strip().lstrip("#"))
    if talk_id is None:
        raise UsageError("talk.usage")
    if ctx.core.programme.talk(talk_id) is None:
        ids = [t.id for t in ctx.core.programme.talks] or [0]
        raise UsageError("talk.unknown", id=talk_id, low=min(ids), high=max(ids))
    return talk_id


def split_page(args: str) -> tuple[str, int]:
    """``"2 3"`` → (``"2"``, 3): a trailing number after a day is the page (buttons use it)."""
    parts = args.split()
    page = parse_number(parts[-1]) if len(parts) >= 2 else None
    if page is not None:
        return " ".join(parts[:-1]), page
    return args, 1


_DAY_WORDS = {"today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1}


def parse_day(ctx: Context, arg: str) -> date | None:
    """A day from ``2``, ``day2``, ``第2天``, ``2026-12-12``, ``12-12``, ``today``; None = all."""
    arg = unicodedata.normalize("NFKC", arg).strip().lower()
    if not arg or arg in ("all", "全部"):
        return None
    days = ctx.core.programme.days()
    tz = ctx.core.programme.tz
    if arg in _DAY_WORDS:
        wanted = ctx.core.clock.now().astimezone(tz).date() + timedelta(days=_DAY_WORDS[arg])
        if wanted in days:
            return wanted
    elif m := re.fullmatch(r"(?:day|d|第)?\s*(\d{1,2})\s*天?", arg):
        index = int(m.group(1))
        if 1 <= index <= len(days):
            return days[index - 1]
    elif m := re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", arg):
        for day in days:
            if (day.month, day.day) == (int(m.group(2)), int(m.group(3))) and (
                not m.group(1) or day.year == int(m.group(1))
            ):
                return day
    example = days[0].isoformat() if days else "2026-12-12"
    raise UsageError("agenda.bad_day", day=arg[:20], count=len(days), example=example)
