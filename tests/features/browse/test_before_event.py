"""Before the event, /now and /next say when it starts and how long until then."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FakeClock
from bot.core import Core
from tests.conftest import SHANGHAI
from tests.helpers import ask


@pytest.mark.parametrize("command", ["/now", "/next"])
def test_days_before_it_says_the_date_and_the_days_and_hours_left(core: Core, clock: FakeClock, command: str) -> None:
    clock.set(datetime(2026, 12, 8, 18, 30, tzinfo=SHANGHAI))
    text = ask(core, command, locale="en").plain_text
    assert "The conference starts on Sat 12 Dec at 09:00 (UTC+8), in 3 days 14 hours." in text
    assert "Nothing is running" not in text
    assert "#1 From the Linux kernel to eBPF" in text  # and what comes first
    zh = ask(core, command, locale="zh-hans").plain_text
    assert "大会将于 12月12日 周六 09:00 (UTC+8) 开始，还有 3 天 14 小时。" in zh


def test_on_the_morning_it_counts_hours_and_minutes(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 7, 35, tzinfo=SHANGHAI))
    assert "in 1 hour 25 minutes." in ask(core, "/next", locale="en").plain_text
    clock.set(datetime(2026, 12, 12, 8, 59, tzinfo=SHANGHAI))
    assert "in 1 minute." in ask(core, "/now", locale="en").plain_text


def test_once_it_has_started_the_countdown_is_gone(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI))
    for command in ("/now", "/next"):
        assert "conference starts" not in ask(core, command, locale="en").plain_text
