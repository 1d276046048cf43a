"""/start, /help, deep links."""

from __future__ import annotations

from bot.chat.registry import listed
from bot.core import Core
from tests.helpers import actions, ask


def test_start_welcomes_and_offers_agenda_and_now(core: Core) -> None:
    reply = ask(core, "/start", locale="en")
    assert "Test Conference" in reply.plain_text
    assert actions(reply) == ["agenda", "now"]


def test_deep_link_opens_a_talk(core: Core) -> None:
    reply = ask(core, "/start talk_4", locale="en")
    assert "Hunting network jitter" in reply.plain_text and "sub 4" in actions(reply)


def test_deep_link_to_unknown_talk_is_explained(core: Core) -> None:
    assert "no talk 77" in ask(core, "/start talk_77", locale="en").plain_text


def test_help_lists_every_public_command_in_both_languages(core: Core) -> None:
    en = ask(core, "/help", locale="en").plain_text
    zh = ask(core, "/help").plain_text
    for cmd in listed():
        assert f"/{cmd.name}" in en and f"/{cmd.name}" in zh
    assert en.index("/start") < en.index("/agenda") < en.index("/lang")
