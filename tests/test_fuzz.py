"""Fuzzing the whole answer path: any text in, only valid platform messages out, never a crash.

Unicode of every class goes in (NUL and other controls, lone surrogates, bidi controls,
superscripts and other-script digits, emoji, 100 000-character strings) as typed text, command
arguments, button actions, display names and locales. Every reply must be valid for Telegram
(HTML the Bot API parses, within 4 096 UTF-16 units, callback data within 64 bytes, encodable
as UTF-8) and for Slack (Block Kit within its limits, safe mrkdwn, encodable as UTF-8).

The suite runs a few hundred examples; ``HYPOTHESIS_PROFILE=long`` runs thousands on demand:
``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.slack.render import to_blocks
from adapters.telegram.render import keyboard, to_html, units
from bot.chat.messages import Address, Reply, Request
from bot.core import Core
from bot.i18n import t
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_server import check_html

settings.register_profile(
    "suite", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

TRICKY = (
    "\x00\x01\x1b\x7f\u200b\u200e\u200f\u202a\u202b\u202e\u2066\u2067\u2069\ufeff"  # controls, bidi
    "²³¹⁴٣१１２＃#−－＋"  # digits and signs of other scripts and widths
    "<>&\"'*_~`|\n\t🙂👩‍👩‍👧\U0010ffff\ud800\udfff"  # markup characters, emoji, lone surrogates
)
# every code point, surrogates included, with the tricky ones much more likely
CHARS = st.one_of(st.characters(codec=None, exclude_categories=[]), st.sampled_from(TRICKY))
TEXTS = st.text(CHARS, max_size=60)
COMMANDS = st.sampled_from(
    ["", "/talk ", "/speaker ", "/search ", "/agenda ", "/remind ", "/track ", "/room ", "/parallel ",
     "/subscribe ", "/unsubscribe ", "/lang ", "/start ", "#", "/"]
)  # fmt: skip
HUGE = "网" * 100_000
INTERNAL = {t("zh", "error.internal"), t("en", "error.internal")}
SLACK = FakeSlack()


def assert_valid_everywhere(reply: Reply) -> None:
    """The checks the platform fakes apply, on one reply."""
    html = to_html(reply)
    html.encode("utf-8")  # strict: a lone surrogate would raise here
    assert units(check_html(html)) <= 4096
    markup = keyboard(reply)  # raises on callback data outside 1..64 bytes
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            button.text.encode("utf-8")
    blocks = to_blocks(reply)
    json.dumps(blocks, ensure_ascii=False).encode("utf-8")
    assert SLACK._check_blocks(blocks) is None


@given(command=COMMANDS, text=TEXTS, name=st.one_of(st.none(), TEXTS), locale=st.one_of(st.none(), TEXTS))
@example(command="", text=HUGE, name=HUGE, locale=None)
@example(command="/talk ", text="²", name=None, locale="zh\x00")
@example(command="/search ", text="\u202e\ud800xdp\x00", name="\x00", locale="en")
def test_any_typed_text_gets_valid_answers(
    core: Core, command: str, text: str, name: str | None, locale: str | None
) -> None:
    who = Address("telegram", "fuzz", "fuzz")
    for reply in core.handle(Request(who, text=command + text, locale=locale, display_name=name)):
        assert reply.plain_text not in INTERNAL
        assert_valid_everywhere(reply)


@given(action=TEXTS)
@example(action=HUGE)
@example(action="talk ²")
@example(action="agenda ２ ３")
def test_any_button_action_gets_valid_answers(core: Core, action: str) -> None:
    who = Address("slack", "UFUZZ", "DFUZZ")
    for reply in core.handle(Request(who, action=action)):
        assert reply.plain_text not in INTERNAL
        assert_valid_everywhere(reply)


@given(query=TEXTS)
@example(query=HUGE)
def test_any_inline_query_gets_valid_cards(core: Core, query: str) -> None:
    for card in core.inline_cards(query, "en"):
        assert_valid_everywhere(card.card)
        card.title.encode("utf-8")
