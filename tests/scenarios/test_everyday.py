"""An attendee's first messages, as people type them: a greeting, an everyday question, a command word
without the slash, a Chinese alias, a question the bot can't answer; the organizer sees that one."""

from __future__ import annotations

from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.scenarios.driver import Platform

BUNDLED = load_content(BUNDLED_CONTENT)


async def test_everyday_questions_on_the_platform(platform: Platform, core: Core) -> None:
    core.replace_programme(BUNDLED)
    venue = BUNDLED.conference.venue
    assert venue is not None and venue.wifi and venue.food_en

    hello = await platform.send("wang", "你好", lang="zh")
    assert "欢迎来到" in hello.text and platform.well_formed(hello)
    wifi = await platform.send("wang", "wifi密码是多少", lang="zh")
    assert venue.wifi in wifi.text and "没有找到" not in wifi.text and platform.well_formed(wifi)

    lunch = await platform.send("amy", "where is lunch?")
    assert venue.food_en in lunch.text and "Results for" not in lunch.text
    mentioned = await platform.send("amy", "XDP lunch and learn")
    assert "Were you asking" in mentioned.text and "faq food" in mentioned.actions
    assert venue.food_en in (await platform.press("amy", "faq food")).text

    now = await platform.send("amy", "now")
    assert now.text == (await platform.send("amy", "/now")).text
    helped = await platform.send("wang", "/帮助", lang="zh")
    assert "/日程" in helped.text and "/常见问题" in helped.text and platform.well_formed(helped)

    nothing = await platform.send("amy", "Souvenirs & <umbrellas>?")
    assert "Nothing found" in nothing.text
    platform.make_organizer("organizer")
    stats = await platform.send("organizer", "/stats")
    assert "Questions that found nothing (1 different, asked 1× in all" in stats.text
    assert "“souvenirs & <umbrellas>” ×1" in stats.text and platform.well_formed(stats)
