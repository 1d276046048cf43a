"""Fixtures: the fake Bot API on loopback and the real PTB application pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from bot.core import Core
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


def telegram_settings(fake: FakeTelegram, **extra: Any) -> Settings:
    """Settings pointing python-telegram-bot at the fake."""
    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,  # type: ignore[call-arg]
        organizers=["console:organizer"],
        **extra,
    )


@pytest.fixture
async def polling_bot(fake_telegram: FakeTelegram, core: Core) -> AsyncIterator[TelegramAdapter]:
    """The adapter in long-polling mode, started."""
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    await adapter.start()
    yield adapter
    await adapter.stop()
