"""The Telegram adapter (python-telegram-bot v22): polling or webhook, one shared core."""

from __future__ import annotations

from adapters.telegram.adapter import TelegramAdapter, create_adapter

__all__ = ["TelegramAdapter", "create_adapter"]
