"""Several speakers of a talk are listed with the reader's language's separator, wherever they appear."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.conftest import SHANGHAI
from tests.factories import small_content
from tests.helpers import ask


def _two_speakers() -> Programme:
    content = small_content()
    talks = [t.model_copy(update={"speakers": ["chenlijun", "alice"]}) if t.id == 2 else t for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


@pytest.fixture
def core(settings: Settings, db: Database, clock: FakeClock) -> Core:
    """The small programme with talk 2 given by two speakers."""
    return Core(settings, db, _two_speakers(), clock)


@pytest.mark.parametrize("text", ["/talk 2", "/agenda 1", "XDP"])
def test_english_readers_see_a_comma_between_speakers(core: Core, text: str) -> None:
    shown = ask(core, text, locale="en").plain_text
    assert "Alice Wang" in shown and "、" not in shown
    assert "Chen Lijun (陈莉君)" in shown or "Chen Lijun" in shown
    assert ", Alice Wang" in shown


@pytest.mark.parametrize("text", ["/talk 2", "/agenda 1", "XDP"])
def test_chinese_readers_see_the_enumeration_comma(core: Core, text: str) -> None:
    shown = ask(core, text, locale="zh-hans").plain_text
    assert "陈莉君" in shown and "、Alice Wang" in shown


def test_inline_cards_and_calendar_follow_the_language(core: Core) -> None:
    card = next(c for c in core.inline_cards("XDP", "en") if c.id == "talk-2")
    assert card.description == "Sat 12 Dec 10:00–10:40 Hall A · Chen Lijun, Alice Wang"  # when and where first
    assert "陈莉君、Alice Wang" in next(c for c in core.inline_cards("XDP", "zh") if c.id == "talk-2").description
    ics = calendar_bytes(core.programme, lang="en", stamp=datetime(2026, 12, 1, tzinfo=SHANGHAI)).decode()
    assert "Chen Lijun (陈莉君)\\, Alice Wang" in ics  # the English name first, as on the talk card
