"""Content text in the reader's language: the English field, or the Chinese one said to be so."""

from __future__ import annotations

import re

from bot.i18n import is_chinese, pick, t

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` has Chinese characters (an imported English bio in the main field has none)."""
    return _CJK.search(text) is not None


def in_lang(lang: str, zh: str, en: str | None) -> tuple[str, bool]:
    """The text for ``lang`` and whether it is Chinese shown to an English reader for lack of English."""
    if not is_chinese(lang) and not en and has_cjk(zh):
        return zh, True
    return pick(lang, zh, en), False


def marked(lang: str, zh: str, en: str | None) -> str:
    """:func:`in_lang` as one string, ``(in Chinese)`` on its own line before a fallback."""
    text, fallback = in_lang(lang, zh, en)
    return f"{t(lang, 'content.in_chinese')}\n{text}" if fallback else text
