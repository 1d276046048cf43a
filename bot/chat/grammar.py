"""Argument parsing shared by the commands: the command/action grammar, talk ids, days, pages.

A typed command is ``/name args``; a button's ``action`` is the same grammar with the slash
optional (``"sub 12"`` is ``/sub 12``), so buttons and commands share one code path.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import date

from bot.chat.registry import Context, UsageError, by_word, plain_text_command
from bot.programme.days import conference_day

_SLASHES = ("/", "\uff0f")  # the full-width slash of Chinese input methods is a slash too
_BARE_ID = re.compile(r"#?\d{1,9}")


def parse_command(text: str) -> tuple[str, str] | None:
    """Split ``/name@bot args`` into ``(name, args)``; None if ``text`` is no command.

    The command word is NFKC-normalised (``／ｔａｌｋ`` is ``/talk``) and ends at any space,
    the full-width one included; the arguments are left as typed (they may be free text).
    """
    if not text.startswith(_SLASHES):
        return None
    head, args = _split_head(text[1:])
    if "\n" in head:  # "/broadcast" then Enter: the command ends at the line break too
        head, _, rest = head.partition("\n")
        args = f"{rest} {args}" if args else rest
    name = unicodedata.normalize("NFKC", head).split("@", 1)[0].strip().lower()
    return name, args.strip()


def _split_head(text: str) -> tuple[str, str]:
    """``text`` cut at its first space (any Unicode space but a line break)."""
    match = re.search(r"[^\S\n]", text)
    return (text[: match.start()], text[match.end() :]) if match else (text, "")


def parse_action(action: str) -> tuple[str, str]:
    """A button's action as ``(name, args)``: always a command, the slash optional."""
    head, _, rest = action.strip().lstrip("/").partition(" ")
    return head.lower(), rest.strip()


def command_of(text: str, action: str | None) -> tuple[str, str]:
    """What a request asks for: a button's action, a typed command, a bare talk id (``12``,
    ``#12``, ``１２``: that talk), a command's word typed alone without the slash (``now``, ``现在``,
    ``你好``: only the whole message, so a search that merely contains one is still a search), or else
    plain text: the FAQ then the search (:func:`plain_text_command`)."""
    if action is not None:
        return parse_action(action)
    text = text.strip()
    if _BARE_ID.fullmatch(unicodedata.normalize("NFKC", text)):
        return "talk", text
    typed = parse_command(text)
    if typed is not None:
        return typed
    word = by_word(text)
    if word is not None:
        return word.name, ""
    return plain_text_command(), text


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


MAX_IDS = 20  # talks one /subscribe or /unsubscribe takes at once


def id_words(args: str) -> list[str]:
    """The words of ``args`` as talk ids are typed: ``3 4 5``, ``3,4,5``, ``#3 ＃4``."""
    return [w.lstrip("#") for w in re.split(r"[\s,，、]+", unicodedata.normalize("NFKC", args)) if w.lstrip("#")]


def all_numbers(args: str) -> bool:
    """Every word of ``args`` is a number (so it means talk ids, never a search)."""
    words = id_words(args)
    return bool(words) and all(parse_number(w) is not None for w in words)


def talk_ids_arg(ctx: Context, args: str, usage_key: str, *, many: bool = False) -> list[int]:
    """The talk ids in ``args``, each checked to exist. A missing, negative or non-numeric id,
    or several where the command takes one, is a :class:`UsageError` that says what is wrong
    and gives the command's own usage (``usage_key``)."""
    words = id_words(args)
    if not words:
        raise UsageError(usage_key)
    usage = ctx.t(usage_key)
    if len(words) > 1 and not many:
        raise UsageError("args.one_id", usage=usage)
    if len(words) > MAX_IDS:
        raise UsageError("args.too_many", limit=MAX_IDS, usage=usage)
    ids = [t.id for t in ctx.programme.talks] or [0]
    found: list[int] = []
    for word in words:
        talk_id = parse_number(word)
        if talk_id is None or talk_id <= 0:
            shown = word[:20] if talk_id is None else str(talk_id)
            raise UsageError("args.not_an_id", arg=shown, low=min(ids), high=max(ids), usage=usage)
        if ctx.programme.talk(talk_id) is None:
            raise UsageError("talk.unknown", id=talk_id, low=min(ids), high=max(ids))
        if talk_id not in found:
            found.append(talk_id)
    return found


def talk_id_arg(ctx: Context, args: str, usage_key: str = "talk.usage") -> int:
    """The one talk id in ``args`` (``12`` or ``#12``, any digits), checked to exist."""
    return talk_ids_arg(ctx, args, usage_key)[0]


def split_page(args: str) -> tuple[str, int]:
    """``"2 3"`` → (``"2"``, 3): a trailing number after a day is the page (buttons use it)."""
    parts = args.split()
    page = parse_number(parts[-1]) if len(parts) >= 2 else None
    if page is not None:
        return " ".join(parts[:-1]), page
    return args, 1


def parse_day(ctx: Context, arg: str) -> date | None:
    """The conference day ``arg`` names (see :mod:`bot.programme.days`: ``2``, ``day 2``, ``第二天``,
    ``明天``, ``sunday``, ``12月13日``, ``2026-12-13`` …); None = all days. Relative words are
    read in the event's time zone, on the bot's clock."""
    key = unicodedata.normalize("NFKC", arg).strip().lower()
    if not key or key in ("all", "全部", "所有"):
        return None
    days = ctx.programme.days()
    today = ctx.now.astimezone(ctx.programme.tz).date()
    day = conference_day(key, days, today)
    if day is not None:
        return day
    example = days[0].isoformat() if days else "2026-12-12"
    raise UsageError("agenda.bad_day", day=key[:20], count=len(days), example=example)


def day_and_page(ctx: Context, args: str) -> tuple[date | None, int]:
    """``/agenda`` arguments: a day, optionally followed by a page number (``2 3``, ``day 2 3``).

    The whole text is tried as a day first, so ``day 2`` and ``Dec 13`` keep their number.
    """
    with contextlib.suppress(UsageError):
        return parse_day(ctx, args), 1
    day_arg, page = split_page(args)
    return parse_day(ctx, day_arg), page
