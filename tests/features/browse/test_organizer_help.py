"""/help: organizers get their commands in a section of their own; attendees never see them."""

from __future__ import annotations

import re

from bot.chat.messages import Address
from bot.chat.registry import listed
from bot.core import Core
from tests.helpers import ALICE, ask

ORGANIZER = Address("console", "organizer", "organizer")  # listed in the test settings


def _organizer_commands() -> list[str]:
    return [f"/{c.name}" for c in listed(organizer=True) if c.organizer_only]


def _named(text: str) -> set[str]:
    return set(re.findall(r"^(/[a-z_]+)", text, flags=re.M))


def test_an_organizer_sees_their_commands_in_a_separate_section() -> None:
    assert {"/stats", "/audit"} <= set(_organizer_commands())


def test_organizer_help_has_the_public_list_then_the_organizer_section(core: Core) -> None:
    for locale, title in (("en", "Organizer commands:"), ("zh", "组织者命令：")):
        text = ask(core, "/help", who=ORGANIZER, locale=locale).plain_text
        public, organizer = text.split(f"\n{title}\n")
        assert _named(organizer) == set(_organizer_commands())
        assert _named(public) == {f"/{c.name}" for c in listed()}
        assert "/stats — " in organizer


def test_attendees_never_see_organizer_commands(core: Core) -> None:
    for locale in ("en", "zh"):
        text = ask(core, "/help", who=ALICE, locale=locale).plain_text
        assert "Organizer" not in text and "组织者" not in text
        assert _named(text) == {f"/{c.name}" for c in listed()}
        assert not _named(text) & set(_organizer_commands())
