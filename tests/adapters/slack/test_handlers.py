"""How /conf text and button actions map onto the core's one command grammar."""

from __future__ import annotations

import pytest

from adapters.slack.handlers import chatter, conf_text


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
    ("event", "is_chatter"),
    [
        ({"user": "U1", "text": "At the front desk"}, False),
        ({"user": "U1", "text": "At the front desk", "subtype": "thread_broadcast"}, False),  # "also send to #desk"
        ({"user": "U1", "text": "badge.jpg", "subtype": "file_share"}, False),
        ({"user": "U1", "text": "edited", "subtype": "message_changed"}, True),
        ({"bot_id": "B1", "text": "a bot's post"}, True),
        ({"subtype": "channel_join", "text": "joined"}, True),
    ],
)
def test_which_channel_messages_are_a_persons_and_may_answer_a_prompt(event: dict[str, str], is_chatter: bool) -> None:
    assert chatter(event) is is_chatter
