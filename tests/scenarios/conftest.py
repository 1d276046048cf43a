"""The ``platform`` fixture: each scenario here runs once on Telegram and once on Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core import Core
from tests.scenarios.driver import PLATFORMS, Platform, platform_for


@pytest.fixture(params=PLATFORMS)
async def platform(request: pytest.FixtureRequest, core: Core) -> AsyncIterator[Platform]:
    async for driver in platform_for(request.param, core):
        yield driver
