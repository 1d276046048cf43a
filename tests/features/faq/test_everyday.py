"""Everyday questions: the venue's facts and the FAQ answer them before the talk search, in Chinese and
English; a message that merely mentions one gets the talks with a button to it; greetings get the
welcome; command words typed without the slash run the command; Chinese aliases work and are in /help."""

from __future__ import annotations

import pytest

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.i18n import hant
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.helpers import actions, ask, press

BUNDLED = load_content(BUNDLED_CONTENT)
VENUE = BUNDLED.conference.venue
assert VENUE is not None and VENUE.wifi_en and VENUE.food_en and VENUE.wifi and VENUE.food


@pytest.fixture
def bundled(settings: Settings, db: Database, clock: FakeClock) -> Core:
    return Core(settings, db, BUNDLED, clock)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("wifi", "en", VENUE.wifi_en),
        ("What's the Wi-Fi password?", "en", VENUE.wifi_en),
        ("wifi密码是多少", "zh-CN", VENUE.wifi),
        ("where is lunch", "en", VENUE.food_en),
        ("午饭在哪", "zh-CN", VENUE.food),
        ("How do I get there?", "en", VENUE.transport_en),
        ("怎么去会场", "zh-CN", VENUE.transport),
        ("When does registration open?", "en", VENUE.registration_en),
        ("在哪签到", "zh-CN", VENUE.registration),
        ("venue address", "en", VENUE.address_en),
        ("会场地址在哪", "zh-CN", VENUE.address),
        ("厕所", "zh-CN", "洗手间在报告厅一层"),
        ("where are the toilets?", "en", "Toilets are on both sides"),
        ("停车", "zh-CN", "校内车位很少"),
        ("parking", "en", "Parking on campus is very limited"),
        ("有录像吗", "zh-CN", "幻灯片和录像"),
        ("slides", "en", "Slides and recordings"),
        ("怎么联系组织者", "zh-CN", "/helpdesk"),
        ("主会场在哪", "zh-CN", "图书馆旁的学术报告厅"),
        ("Where is the Main Hall?", "en", "beside the library"),
    ],
)
def test_an_everyday_question_is_answered_from_the_venue_and_the_faq(
    bundled: Core, text: str, locale: str, expected: str
) -> None:
    reply = ask(bundled, text, locale=locale)
    assert expected in reply.plain_text
    assert "Results for" not in reply.plain_text and "搜索结果" not in reply.plain_text
    assert "Nothing found" not in reply.plain_text and "没有找到" not in reply.plain_text


def test_traditional_characters_and_the_other_language_find_the_answer_too(bundled: Core) -> None:
    assert hant(VENUE.registration) in ask(bundled, "簽到", locale="zh-TW").plain_text  # and read in Traditional
    english = ask(bundled, "午饭在哪", locale="en").plain_text  # an English reader typing Chinese
    assert VENUE.food_en in english


def test_the_address_comes_with_the_place_on_the_map(bundled: Core) -> None:
    reply = ask(bundled, "Where is the venue?", locale="en")
    assert reply.place is not None and reply.place.latitude == VENUE.latitude
    assert "venue" in actions(reply)


def test_a_question_that_also_names_talks_offers_them(bundled: Core) -> None:
    reply = ask(bundled, "slides", locale="en")
    assert "Slides and recordings" in reply.plain_text
    talks = [a for a in actions(reply) if a.startswith("search ")]
    if talks:  # the search finds talks about slides: one button to them
        assert "Results for" in press(bundled, talks[0], locale="en").plain_text


def test_a_message_that_merely_mentions_an_entry_gets_the_talks_and_a_button_to_it(bundled: Core) -> None:
    reply = ask(bundled, "XDP lunch and learn", locale="en")
    assert "Results for" in reply.plain_text and "Were you asking" in reply.plain_text
    assert "faq food" in actions(reply)
    assert VENUE.food_en in press(bundled, "faq food", locale="en").plain_text
    chinese = ask(bundled, "XDP 网络 午饭 分享", locale="zh-CN")
    assert "您是不是想问" in chinese.plain_text and "faq food" in actions(chinese)


def test_talk_searches_stay_searches(bundled: Core) -> None:
    for text in ("XDP", "可观测", "eBPF maps", "tracing"):
        reply = ask(bundled, text, locale="en")
        assert "Results for" in reply.plain_text, text
        assert not [a for a in actions(reply) if a.startswith("faq")], text


def test_faq_lists_every_question_in_the_readers_language(bundled: Core) -> None:
    english = ask(bundled, "/faq", locale="en")
    assert "Common questions" in english.plain_text
    labels = [b.label for row in english.button_rows for b in row]
    assert "Where are the toilets?" in labels and "faq toilets" in actions(english)
    chinese = ask(bundled, "/常见问题", who=Address("console", "bob", "bob"), locale="zh-CN")
    assert "厕所在哪里" in [b.label for row in chinese.button_rows for b in row]
    assert "Parking on campus" in ask(bundled, "/faq where can I park", locale="en").plain_text
    assert "No common question matches" in ask(bundled, "/faq quantum", locale="en").plain_text


def test_a_conference_without_venue_or_faq_still_searches(core: Core) -> None:
    assert "Nothing found" in ask(core, "wifi", locale="en").plain_text
    assert "not written any common questions" in ask(core, "/faq", locale="en").plain_text


@pytest.mark.parametrize("text", ["hello", "Hi!", "你好", "您好！", "嗨", "在吗？", "哈喽"])
def test_a_greeting_gets_the_welcome(core: Core, text: str) -> None:
    reply = ask(core, text, locale="en" if text.isascii() else "zh-CN")
    assert "Welcome to" in reply.plain_text or "欢迎来到" in reply.plain_text
    assert "agenda" in actions(reply)


@pytest.mark.parametrize(
    ("word", "command"),
    [
        ("现在", "/now"),
        ("now", "/now"),
        ("下一场", "/next"),
        ("Next", "/next"),
        ("日程", "/agenda"),
        ("agenda", "/agenda"),
        ("帮助", "/help"),
        ("help", "/help"),
        ("我的", "/my"),
        ("my", "/my"),
        ("场地", "/venue"),
        ("venue", "/venue"),
    ],
)
def test_a_command_word_without_the_slash_runs_the_command(core: Core, word: str, command: str) -> None:
    locale = "en" if word.isascii() else "zh-CN"
    assert ask(core, word, locale=locale).plain_text == ask(core, command, locale=locale).plain_text


@pytest.mark.parametrize(
    ("alias", "command"),
    [("/帮助", "/help"), ("/日程", "/agenda"), ("/现在", "/now"), ("/下一场", "/next"), ("/我的", "/my")],
)
def test_chinese_command_aliases_work(core: Core, alias: str, command: str) -> None:
    assert ask(core, alias).plain_text == ask(core, command).plain_text


def test_help_lists_the_chinese_aliases(core: Core) -> None:
    text = ask(core, "/help").plain_text
    for alias in ("/帮助", "/日程", "/现在", "/下一场", "/我的", "/场地", "/常见问题"):
        assert alias in text, alias
    assert "/faq" in ask(core, "/help", locale="en").plain_text


def test_a_search_that_contains_a_command_word_or_greeting_is_still_a_search(core: Core) -> None:
    for text in ("现在的网络抖动", "next scheduler", "hello XDP", "网络抖动 日程"):
        reply = ask(core, text, locale="en")
        assert "Results for" in reply.plain_text or "Nothing found" in reply.plain_text, text
        assert "Welcome to" not in reply.plain_text, text
    assert "Hunting network jitter" in ask(core, "现在的网络抖动", locale="en").plain_text
