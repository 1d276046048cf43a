"""Thin per-platform adapters in front of the core: console, Telegram, Slack."""
