"""Agenda lines are made once per programme, but never outlive a change of programme or of the catalogs."""

from __future__ import annotations

from bot import i18n
from bot.programme.cards import agenda_line
from bot.programme.content.programme import Programme
from tests.factories import small_content


def test_a_line_is_made_again_for_a_new_programme_and_for_reloaded_catalogs() -> None:
    before = Programme.from_content(small_content())
    talk = before.talk(3)
    assert talk is not None
    first = agenda_line(before, talk, "zh")
    assert agenda_line(before, talk, "zh") is first  # the same line, not made again
    after = Programme.from_content(small_content())  # a schedule change swaps in a new programme
    talk_after = after.talk(3)
    assert talk_after is not None
    fresh = agenda_line(after, talk_after, "zh")
    assert fresh is not first and fresh == first  # made again, the same text
    i18n.reload_catalogues()  # the catalogs rewritten (tooling, tests): text made before is stale
    assert agenda_line(after, talk_after, "zh") is not fresh
