"""The ``platform`` fixture: each scenario here runs once on Telegram, once on Slack and once on WeChat
(where WeChat lacks what a story needs, it is skipped there, saying so)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core import Core
from tests.scenarios.driver import PLATFORMS, Platform, platform_for


@pytest.fixture(params=PLATFORMS)
async def platform(request: pytest.FixtureRequest, core: Core) -> AsyncIterator[Platform]:
    async for driver in platform_for(request.param, core):
        yield driver
