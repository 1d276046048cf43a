"""Every reply the bot can give on the bundled conference fits both platforms' rules."""

from __future__ import annotations

import pytest

from adapters.slack.render import to_blocks
from adapters.telegram.render import keyboard, to_html
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.fakes.slack_api import mrkdwn_problem
from tests.fakes.telegram_server import check_html

BUNDLED = load_content(BUNDLED_CONTENT)
TEXTS = (
    [
        "/start",
        "/help",
        "/agenda",
        "/agenda 1",
        "/agenda 2",
        "/now",
        "/next",
        "/tracks",
        "/rooms",
        "/my",
        "/remind",
        "/ics",
        "/track networking",
        "/room A",
        "/speaker 陈",
        "/search eBPF",
        "eBPF",
        "网络",
        "zzqqxx",
        "/agenda 1 2",
        "/agenda all 2",
        "/agenda 明天",
        "/agenda sunday",
        "/room B",
        "/room A 2",
        "/subscribe 3 4 5 6 7 8 9 10 11 12 13",
        "/unsubscribe 3 4",
        "/talk 3 4",
        "12",
        "／talk 3",
    ]
    + [f"/talk {t.id}" for t in BUNDLED.talks]
    + [f"/parallel {t.id}" for t in BUNDLED.talks]
    + [f"/speaker {s.name}" for s in BUNDLED.speakers.values()]
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_reply_is_valid_telegram_html_and_block_kit(core: Core, clock: FakeClock, lang: str) -> None:
    core.replace_programme(BUNDLED)
    who = Address("console", f"limits-{lang}", f"limits-{lang}")
    core.handle(Request(who, text="/subscribe 3", locale=lang))
    checked = 0
    for text in TEXTS:
        clock.advance(1 / core.settings.flood_per_second)  # at the pace a person may keep up (bot/flood.py)
        for reply in core.handle(Request(who, text=text, locale=lang)):
            html = to_html(reply)
            assert len(check_html(html)) <= 4096, text  # the fake's parser: valid entities
            markup = keyboard(reply)  # raises on callback data over 64 bytes
            buttons = [b for row in (markup.inline_keyboard if markup else ()) for b in row]
            assert all(len((b.callback_data or "").encode()) <= 64 for b in buttons)
            blocks = to_blocks(reply)
            assert len(blocks) <= 50, text
            for block in blocks:
                section = (block.get("text") or {}).get("text", "")
                assert len(section) <= 3000 and mrkdwn_problem(section) is None, text
            checked += 1
    assert checked >= len(TEXTS)
