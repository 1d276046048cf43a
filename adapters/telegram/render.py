"""Core replies → Telegram HTML text and inline keyboards, within Telegram's limits."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.messages import Reply, Span

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
ELLIPSIS = "…"
SELECTED = "• "  # marks the current choice (e.g. the day shown)


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` within ``budget`` UTF-16 units."""
    out, used = [], 0
    for ch in text:
        used += units(ch)
        if used > budget:
            break
        out.append(ch)
    return "".join(out)


def span_html(span: Span) -> str:
    """One span as HTML; the text is always escaped."""
    text = html.escape(span.text, quote=False)
    if span.style == "bold":
        return f"<b>{text}</b>"
    if span.style == "italic":
        return f"<i>{text}</i>"
    if span.style == "code":
        return f"<code>{text}</code>"
    if span.style == "link" and span.url:
        return f'<a href="{html.escape(span.url, quote=True)}">{text}</a>'
    return text


def to_html(reply: Reply, limit: int = MAX_TEXT) -> str:
    """The reply's lines as Telegram HTML whose visible text is at most ``limit`` units.

    An over-long reply is cut (never mid-entity or mid-tag) and ends with "…".
    """
    budget = limit - units(ELLIPSIS) - 1
    out: list[str] = []
    for i, line in enumerate(reply.lines):
        budget -= 1 if i else 0  # the newline before this line
        if budget < 0:
            out.append(ELLIPSIS)
            break
        rendered: list[str] = []
        for span in line:
            size = units(span.text)
            if size > budget:
                piece = _cut(span.text, budget)
                rendered.append((span_html(Span(piece, span.style, span.url)) if piece else "") + ELLIPSIS)
                budget = -1
                break
            rendered.append(span_html(span))
            budget -= size
        out.append("".join(rendered))
        if budget < 0:
            break
    return "\n".join(out) or ELLIPSIS


def keyboard_json(reply: Reply) -> dict[str, Any] | None:
    """Buttons (choices last) as the Bot API's inline keyboard JSON (what ``keyboard(reply).to_dict()``
    gives, without PTB's objects); a callback over 64 bytes is a bug, so it raises."""
    rows = []
    for row in reply.button_rows:
        buttons: list[dict[str, str]] = []
        for button in row:
            label = SELECTED + button.label if button.selected else button.label
            if button.url:
                buttons.append({"text": label, "url": button.url})
                continue
            if not 1 <= len(button.action.encode()) <= MAX_CALLBACK_BYTES:
                raise ValueError(f"callback data must be 1..{MAX_CALLBACK_BYTES} bytes: {button.action!r}")
            buttons.append({"text": label, "callback_data": button.action})
        if buttons:
            rows.append(buttons)
    return {"inline_keyboard": rows} if rows else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """:func:`keyboard_json` as PTB's inline keyboard (for the calls made through PTB's own methods)."""
    markup = keyboard_json(reply)
    if markup is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in markup["inline_keyboard"]])
