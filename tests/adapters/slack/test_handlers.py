"""How /conf text and button actions map onto the core's one command grammar."""

from __future__ import annotations

import pytest

from adapters.slack.handlers import conf_text


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
