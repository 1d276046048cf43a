"""Splitting long replies into pages that fit every platform's limits."""

from __future__ import annotations

from bot.chat.messages import Line

PAGE_CHARS = 3000  # below Telegram's 4096 and Slack's 3 000-per-section, with room for headers
PAGE_LINES = 40  # Slack allows 50 blocks per message


def line_length(line: Line) -> int:
    """Visible characters of a line."""
    return sum(len(span.text) for span in line)


def paginate(lines: list[Line], *, chars: int = PAGE_CHARS, max_lines: int = PAGE_LINES) -> list[list[Line]]:
    """Cut ``lines`` into pages of at most ``chars`` characters and ``max_lines`` lines.

    A blank line is preferred as a cut point, so a day header stays with its items where it
    can. Never returns an empty list.
    """
    pages: list[list[Line]] = []
    current: list[Line] = []
    size = 0
    for line in lines:
        length = line_length(line) + 1
        if current and (size + length > chars or len(current) >= max_lines):
            pages.append(current)
            current, size = [], 0
        if not current and not line:  # no page starts with a blank line
            continue
        current.append(line)
        size += length
    if current or not pages:
        pages.append(current)
    return pages


def clamp(page: int, count: int) -> int:
    """A 1-based page number forced into ``1..count``."""
    return max(1, min(page, count))
