"""English readers read English content; Chinese shown to them for lack of English is said to be so."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.language import has_cjk
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.helpers import ask


@pytest.fixture(scope="module")
def bundled() -> Programme:
    return load_content(BUNDLED_CONTENT)


@pytest.fixture
def bundled_core(settings: Settings, db: Database, bundled: Programme, clock: FakeClock) -> Core:
    return Core(settings, db, bundled, clock)


def _chinese_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if has_cjk(line)]


def test_every_bundled_talk_has_an_english_abstract_and_every_speaker_an_english_bio(bundled: Programme) -> None:
    assert len(bundled.talks) == 29
    for talk in bundled.talks:
        assert talk.abstract_en and not has_cjk(talk.abstract_en), talk.id
        assert 1 <= talk.abstract_en.count(". ") + 1 <= 4, talk.id  # two or three sentences, not a page
    for speaker in bundled.speakers.values():
        assert speaker.bio_en and "\n" not in speaker.bio_en and not has_cjk(speaker.bio_en), speaker.id
        assert bool(speaker.affiliation_en) == bool(speaker.affiliation), speaker.id  # where the page names one


def test_an_english_talk_card_has_english_abstract_and_affiliation(
    bundled_core: Core, bundled: Programme, clock: FakeClock
) -> None:
    for talk in bundled.talks:
        clock.advance(1 / bundled_core.settings.flood_per_second)  # at the pace a person may keep up (bot/flood.py)
        text = ask(bundled_core, f"/talk {talk.id}", locale="en").plain_text
        assert talk.abstract_en and talk.abstract_en.strip()[:60] in text
        assert talk.abstract.strip()[:20] not in text, talk.id
        for speaker in bundled.speakers_of(talk):
            assert speaker.affiliation not in text or not speaker.affiliation, talk.id
            assert not speaker.affiliation_en or speaker.affiliation_en in text
        # what stays Chinese: the speaker's name beside the pinyin, the original title, marked sections
        chinese = [
            line
            for line in _chinese_lines(text)
            if not line.startswith("🎤") and line.strip() != talk.title.strip() and not line[:1].isdigit()
        ]
        assert chinese == [], (talk.id, chinese)
        if talk.outline:
            assert "Outline (in Chinese)" in text
    zh = ask(bundled_core, "/talk 1", locale="zh").plain_text
    assert bundled.talks[0].abstract[:20] in zh and "(in Chinese)" not in zh and "西安邮电大学教授" in zh


def test_an_english_speaker_card_has_the_english_bio(bundled_core: Core) -> None:
    text = ask(bundled_core, "/speaker 陈莉君", locale="en").plain_text
    assert "Professor, Xi'an University of Posts and Telecommunications" in text
    assert "Linux kernel expert" in text and "驰骋" not in text


def test_content_without_english_says_in_chinese_once(core: Core) -> None:
    card = ask(core, "/speaker 陈莉君", locale="en").plain_text  # the small programme has no bio_en
    assert card.count("(in Chinese)") == 2  # the affiliation and the bio, each once
    assert card.index("(in Chinese)") < card.index("Linux内核专家")
    english_only = ask(core, "/speaker Alice", locale="en").plain_text  # English in the main fields
    assert "(in Chinese)" not in english_only and "XDP hacker" in english_only


def test_the_ics_description_follows_the_users_language(bundled_core: Core, bundled: Programme) -> None:
    ask(bundled_core, "/subscribe 3", locale="en")
    attachment = ask(bundled_core, "/ics", locale="en").attachment
    assert attachment is not None
    (event,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    description = str(event["description"])
    assert bundled.talk(3).abstract_en[:40] in description  # type: ignore[union-attr]
    assert not has_cjk(description.replace("张城", ""))
    ask(bundled_core, "/lang zh", locale="en")
    zh_attachment = ask(bundled_core, "/ics").attachment
    assert zh_attachment is not None
    (zh_event,) = Calendar.from_ical(zh_attachment.content).walk("VEVENT")
    assert "阿里一直在关注" in str(zh_event["description"])
