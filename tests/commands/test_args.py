"""Numbers however they are typed: one parser for every command."""

from __future__ import annotations

import pytest

from bot.commands.args import parse_number
from bot.core import Core
from tests.helpers import ask


@pytest.mark.parametrize(
    ("typed", "number"),
    [("12", 12), ("１２", 12), ("²", 2), ("٣", 3), ("+3", 3), ("＋3", 3), ("-1", -1), ("−1", -1), ("－1", -1)],
)
def test_numbers_in_any_script_and_with_any_sign(typed: str, number: int) -> None:
    assert parse_number(typed) == number


@pytest.mark.parametrize("typed", ["", "+", "-", "1.5", "1e3", "x1", "1234567890", "²x"])
def test_what_is_not_a_number_is_none(typed: str) -> None:
    assert parse_number(typed) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/talk ²", "#2"),  # a superscript two is talk 2
        ("/talk ３", "#3"),
        ("/talk −1", "There is no talk -1"),
        ("/remind ³", "3 minutes"),
        ("/remind ＋15", "15 minutes"),
        ("/remind -5", "between 1 and 120"),
        ("/agenda ２", "Day 2"),
    ],
)
def test_commands_read_unicode_digits_and_signs(core: Core, text: str, expected: str) -> None:
    reply = ask(core, text, locale="en").plain_text
    assert "went wrong" not in reply and expected in reply
