"""Pagination keeps every page within the platforms' limits."""

from __future__ import annotations

from bot.chat.messages import Span
from bot.chat.pages import PAGE_CHARS, PAGE_LINES, clamp, line_length, paginate


def test_pages_respect_character_and_line_budgets_and_keep_every_line() -> None:
    lines = [(Span("议程" * (i % 50 + 1)),) for i in range(500)]
    pages = paginate(lines)
    assert len(pages) > 1
    for page in pages:
        assert sum(line_length(line) + 1 for line in page) <= PAGE_CHARS
        assert len(page) <= PAGE_LINES
    assert [line for page in pages for line in page] == lines


def test_no_page_starts_blank_and_empty_input_gives_one_page() -> None:
    pages = paginate([(Span("a"),), (), (Span("b"),)], chars=3)
    assert all(page[0] for page in pages)
    assert paginate([]) == [[]]


def test_clamp() -> None:
    assert clamp(0, 3) == 1 and clamp(9, 3) == 3 and clamp(2, 3) == 2
