"""Which language a page is written in: ``?lang=`` (remembered in a cookie), the cookie, the browser's
``Accept-Language``, else Chinese: the chat's own rule for a platform locale (``bot.i18n.language_for_locale``)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_for_locale, language_named

COOKIE = "lang"
MAX_TAGS = 20  # an Accept-Language header is read this far, no further


def _preferred(header: str) -> str | None:
    """The first language tag of ``Accept-Language`` by its quality (``zh-TW,en;q=0.8`` → ``zh-TW``)."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")[:MAX_TAGS]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if quality <= 0:
            continue
        key = (-quality, position, tag)
        best = key if best is None or key < best else best
    return best[2] if best else None


def chosen(query: str | None) -> str | None:
    """The language a ``?lang=`` switch names (``en``, ``zh``, ``zh-hant``, ``zh-TW``…), or None."""
    if not query:
        return None
    lang = language_named(query[:20])
    return lang if lang in LANGUAGES else None


def page_language(query: str | None, cookies: Mapping[str, str], accept: str | None) -> str:
    """The switch, else the remembered choice, else the browser's first language, else Chinese."""
    for candidate in (chosen(query), chosen(cookies.get(COOKIE))):
        if candidate is not None:
            return candidate
    tag = _preferred(accept or "")
    return language_for_locale(tag) if tag else DEFAULT_LANGUAGE
