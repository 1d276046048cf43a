"""The Slack adapter (slack-bolt): /conf, DMs, buttons, App Home; HTTP or Socket Mode."""

from __future__ import annotations

from adapters.slack.adapter import SlackAdapter, create_adapter

__all__ = ["SlackAdapter", "create_adapter"]
