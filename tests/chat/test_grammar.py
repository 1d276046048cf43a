"""Numbers however they are typed: one parser for every command."""

from __future__ import annotations

import pytest

from bot.chat.grammar import parse_number
from bot.core import Core
from tests.helpers import actions, ask


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
        ("/talk −1", "“-1” is not a talk id"),
        ("/remind ³", "3 minutes"),
        ("/remind ＋15", "15 minutes"),
        ("/remind -5", "between 1 and 120"),
        ("/agenda ２", "Day 2"),
    ],
)
def test_commands_read_unicode_digits_and_signs(core: Core, text: str, expected: str) -> None:
    reply = ask(core, text, locale="en").plain_text
    assert "went wrong" not in reply and expected in reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/subscribe -1", "Usage: /subscribe <id>"),
        ("/subscribe x", "Usage: /subscribe <id>"),
        ("/unsubscribe abc", "Usage: /unsubscribe <id>"),
        ("/unsubscribe", "Usage: /unsubscribe <id>"),
        ("/parallel -1", "Usage: /parallel <id>"),
        ("/parallel 2 3", "Usage: /parallel <id>"),
        ("/talk -1", "Usage: /talk <id>"),
        ("/talk 3 4", "Usage: /talk <id>"),
    ],
)
def test_each_command_gives_its_own_usage(core: Core, text: str, expected: str) -> None:
    reply = ask(core, text, locale="en").plain_text
    assert expected in reply and "Results for" not in reply and "Nothing found" not in reply
    assert "Usage: /talk" not in reply or text.startswith("/talk")


def test_what_is_wrong_is_named(core: Core) -> None:
    assert "“-1” is not a talk id (ids run 1–5)" in ask(core, "/talk -1", locale="en").plain_text
    assert "takes one talk id" in ask(core, "/talk 3 4", locale="en").plain_text
    assert "“0” is not a talk id" in ask(core, "/subscribe ０", locale="en").plain_text


def test_subscribe_and_unsubscribe_take_several_ids(core: Core) -> None:
    reply = ask(core, "/subscribe 3 4 5", locale="en")
    assert all(f"Subscribed to #{i}" in reply.plain_text for i in (3, 4, 5))
    assert set(actions(reply)) == {"unsub 3", "unsub 4", "unsub 5"}
    mine = ask(core, "/my", locale="en").plain_text
    assert all(f"#{i}" in mine for i in (3, 4, 5))
    assert "already subscribed to #4" in ask(core, "/subscribe #4, 2", locale="en").plain_text
    out = ask(core, "/unsubscribe 3 5", locale="en").plain_text
    assert "Unsubscribed from #3" in out and "Unsubscribed from #5" in out
    mine = ask(core, "/my", locale="en").plain_text
    assert "#4" in mine and "#2" in mine and "#3" not in mine and "#5" not in mine


@pytest.mark.parametrize("text", ["3", "#3", "３", "＃３", " 3 "])
def test_a_bare_number_is_that_talk(core: Core, text: str) -> None:
    reply = ask(core, text, locale="en")
    assert "Observability with eBPF" in reply.plain_text and "sub 3" in actions(reply)


def test_a_bare_number_that_is_no_talk_says_so(core: Core) -> None:
    assert "There is no talk 99" in ask(core, "99", locale="en").plain_text


@pytest.mark.parametrize("text", ["／talk 3", "／ｔａｌｋ　３", "/talk　3", "／t 3", "/TALK ３"])
def test_full_width_slash_letters_space_and_digits(core: Core, text: str) -> None:
    reply = ask(core, text, locale="en")
    assert "Observability with eBPF" in reply.plain_text and "sub 3" in actions(reply)


def test_full_width_command_keeps_its_free_text_as_typed(core: Core) -> None:
    assert "Results for “ＸＤＰ”" in ask(core, "／search ＸＤＰ", locale="en").plain_text


@pytest.mark.parametrize(
    "text",
    ["\x1b[31mzzqqxx\x1b[0m", "\x1b]0;title\x07zzqqxx", "zz\x1b(Bqq\x1b[1;32mxx", "\u202ezzqqxx", "zzqq\x00xx\x7f"],
)
def test_escape_codes_and_controls_are_stripped_before_answering(core: Core, text: str) -> None:
    reply = ask(core, text, locale="en").plain_text
    assert "Nothing found for “zzqqxx”" in reply
    assert not any(ch in reply for ch in "\x1b\x07\x00\x7f\u202e") and "[31m" not in reply
