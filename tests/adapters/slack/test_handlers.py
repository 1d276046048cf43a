"""How /conf text and button actions map onto the core's one command grammar."""

from __future__ import annotations

import pytest

from adapters.slack.handlers import changes_home, conf_text
from bot.messages import Address, Request

WHO = Address("slack", "U1", "D1")


@pytest.mark.parametrize(
    ("typed", "core_text"),
    [
        ("", "/help"),
        ("  ", "/help"),
        ("agenda", "/agenda"),
        ("talk 12", "/talk 12"),
        ("speaker 陈莉君", "/speaker 陈莉君"),
        ("search xdp", "/search xdp"),
        ("subscribe 12", "/subscribe 12"),
        ("Agenda 2", "/Agenda 2"),
        ("日程", "/日程"),
        ("/my", "/my"),
        ("xdp", "xdp"),
        ("陈莉君", "陈莉君"),
    ],
)
def test_conf_text_is_a_core_command_or_a_search(typed: str, core_text: str) -> None:
    assert conf_text(typed) == core_text


@pytest.mark.parametrize(
    ("request_", "refresh"),
    [
        (Request(WHO, action="sub 2"), True),
        (Request(WHO, action="unstar 2"), True),
        (Request(WHO, text="/subscribe 2"), True),
        (Request(WHO, text="/lang zh"), True),
        (Request(WHO, text="/remind 15"), True),
        (Request(WHO, text="/talk 2"), False),
        (Request(WHO, text="subscribe"), False),
        (Request(WHO, text="/sub@confbot 3"), True),  # a DM word is a search
        (Request(WHO, action="agenda 2"), False),
        (Request(WHO, text=""), False),
    ],
)
def test_the_home_is_republished_only_after_changes_it_shows(request_: Request, refresh: bool) -> None:
    assert changes_home(request_) is refresh
