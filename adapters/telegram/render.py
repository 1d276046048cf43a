"""Core replies → Telegram HTML text and inline keyboards, within Telegram's limits."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Reply, Span

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64


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


def to_html(reply: Reply) -> str:
    """The reply's lines as Telegram HTML, cut on a line boundary if ever over 4096 characters."""
    lines = ["".join(span_html(s) for s in line) for line in reply.lines]
    out: list[str] = []
    visible = 0
    for line, raw in zip(lines, reply.lines, strict=True):
        length = sum(len(s.text) for s in raw) + 1
        if visible + length > MAX_TEXT - 2:
            out.append("…")
            break
        out.append(line)
        visible += length
    return "\n".join(out) or "…"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard; a callback over 64 bytes is a bug, so it raises."""
    rows = []
    for row in reply.buttons:
        buttons = []
        for button in row:
            if button.url:
                buttons.append(InlineKeyboardButton(button.label, url=button.url))
                continue
            if len(button.action.encode()) > MAX_CALLBACK_BYTES:
                raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {button.action!r}")
            buttons.append(InlineKeyboardButton(button.label, callback_data=button.action))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None
