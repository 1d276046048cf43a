"""Starring a talk at the same time as one already starred warns at once and offers the choice."""

from __future__ import annotations

from bot.core import Core
from tests.helpers import actions, ask, press


def test_subscribe_warns_of_a_clash_with_a_starred_talk_and_offers_the_alternative(core: Core) -> None:
    ask(core, "/subscribe 2")
    reply = ask(core, "/subscribe 3", locale="en")
    assert "Subscribed to #3" in reply.plain_text
    assert "clashes with #2 XDP <fast> & furious (Sat 12 Dec 10:00–10:40 Hall A), which you starred" in reply.plain_text
    assert {"talk 2", "unsub 2", "unsub 3", "parallel 3"} <= set(actions(reply))
    press(core, "unsub 2", locale="en")  # keep the new one
    assert "Clash" not in ask(core, "/my", locale="en").plain_text


def test_two_talks_at_one_hour_in_one_command_are_flagged_in_chinese_too(core: Core) -> None:
    reply = ask(core, "/subscribe 2 3", locale="zh-hans")
    assert "与您已订阅的 #2 XDP <fast> & furious（12月12日 周六 10:00–10:40 A厅）时间冲突" in reply.plain_text
    assert actions(reply).count("unsub 2") == 1 and "talk 2" in actions(reply)


def test_talks_at_different_times_get_no_warning(core: Core) -> None:
    reply = ask(core, "/subscribe 1 2 4", locale="en")
    assert "clashes" not in reply.plain_text and not any(a.startswith("parallel") for a in actions(reply))


def test_the_star_button_warns_on_the_card_and_in_the_toast(core: Core) -> None:
    ask(core, "/subscribe 3")
    card = press(core, "sub 2", locale="en")
    assert card.edit and card.notice == "Subscribed ⚠️ clashes with #3"
    assert "It clashes with #3 Observability with eBPF (Sat 12 Dec 10:00–10:40 Hall B)" in card.plain_text
    assert {"unsub 2", "parallel 2", "talk 3", "unsub 3"} <= set(actions(card))


def test_starring_a_talk_again_warns_about_nothing(core: Core) -> None:
    ask(core, "/subscribe 2")
    again = ask(core, "/subscribe 2", locale="en")
    assert "already" in again.plain_text and "clashes" not in again.plain_text
