"""/speaker, /track and "nothing found" on the bundled conference, as an attendee types them."""

from __future__ import annotations

import re

import pytest
from pypinyin import lazy_pinyin

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.helpers import actions, ask

BUNDLED = load_content(BUNDLED_CONTENT)
SPEAKERS = list(BUNDLED.speakers.values())
CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def bundled(settings: Settings, db: Database, clock: FakeClock) -> Core:
    return Core(settings, db, BUNDLED, clock)


def offered(core: Core, text: str) -> set[str]:
    """The speakers a /speaker reply offers: its choice buttons, or the one card it shows."""
    reply = ask(core, text, locale="en")
    chosen = {a.split(" ", 1)[1] for a in actions(reply) if a.startswith("speaker ")}
    if chosen:
        return chosen
    return {s.id for s in SPEAKERS if reply.plain_text.startswith(s.name_en or s.name)}


def syllables(name: str) -> list[str]:
    return lazy_pinyin(name)


@pytest.mark.parametrize("part", ["李", "张", "陈"])
def test_one_chinese_character_offers_every_speaker_with_it(bundled: Core, part: str) -> None:
    expected = {s.id for s in SPEAKERS if part in s.name}
    assert len(expected) >= 2
    assert offered(bundled, f"/speaker {part}") == expected


@pytest.mark.parametrize("syllable", ["Li", "li", "Zhang", "chen", "Cheng"])
def test_a_syllable_offers_the_speakers_with_that_syllable_not_a_longer_one(bundled: Core, syllable: str) -> None:
    expected = {s.id for s in SPEAKERS if syllable.casefold() in syllables(s.name)}
    inside_another = {s.id for s in SPEAKERS if syllable.casefold() in "".join(syllables(s.name))} - expected
    assert expected
    found = offered(bundled, f"/speaker {syllable}")
    assert expected <= found and not found & inside_another


def test_chen_does_not_offer_zhang_cheng_or_yang_jincheng(bundled: Core) -> None:
    found = offered(bundled, "/speaker chen")
    assert {"zhangcheng", "yangjincheng"} & set(BUNDLED.speakers) == {"zhangcheng", "yangjincheng"}
    assert not found & {"zhangcheng", "yangjincheng"} and "chenlijun" in found


@pytest.mark.parametrize("speaker", SPEAKERS, ids=lambda s: s.id)
def test_tone_marks_initials_and_traditional_characters_show_the_speaker(bundled: Core, speaker) -> None:  # type: ignore[no-untyped-def]
    from pypinyin import Style

    marked = lazy_pinyin(speaker.name, style=Style.TONE)
    assert offered(bundled, f"/speaker {marked[0].title()} {''.join(marked[1:]).title()}") == {speaker.id}
    initials = "".join(s[0] for s in syllables(speaker.name))
    assert speaker.id in offered(bundled, f"/speaker {initials}")


def track_words() -> list[tuple[str, str]]:
    """(word, track id) for each word of a track's English name or start of its Chinese name unique to it."""
    tracks = BUNDLED.conference.tracks
    pairs = []
    for track in tracks:
        words = [w for w in re.findall(r"[A-Za-z]{4,}", track.name_en or "")] + [track.name[:2], track.name[:3]]
        for word in words:
            holders = [t for t in tracks if word.casefold() in f"{t.name} {t.name_en} {t.id}".casefold()]
            if holders == [track]:
                pairs.append((word, track.id))
    return pairs


@pytest.mark.parametrize(("word", "track_id"), track_words())
def test_a_word_of_a_tracks_name_picks_that_track(bundled: Core, word: str, track_id: str) -> None:
    track = next(t for t in BUNDLED.conference.tracks if t.id == track_id)
    text = ask(bundled, f"/track {word}", locale="en").plain_text
    assert text.startswith(f"🏷 {track.name_en}"), word


def test_the_issues_track_words_are_among_them() -> None:
    assert {"cloud", "containers", "可观测"} <= {w.casefold() for w, _ in track_words()}


def test_an_ambiguous_or_unknown_track_word_lists_the_tracks(bundled: Core) -> None:
    for word in ("nowhere", "&"):
        text = ask(bundled, f"/track {word}", locale="en").plain_text
        assert "Usage: /track" in text and all(t.id in text for t in BUNDLED.conference.tracks)


@pytest.mark.parametrize(("locale", "chinese"), [("zh", True), ("en", False)])
def test_nothing_found_suggests_in_the_users_language(bundled: Core, locale: str, chinese: bool) -> None:
    reply = ask(bundled, "seccomp", locale=locale)
    ideas = [a.removeprefix("search ") for a in actions(reply) if a.startswith("search ")]
    assert ideas and all(bool(CJK.search(idea)) == chinese for idea in ideas), ideas
    assert "LMP" not in reply.plain_text
