"""The WeChat Official Account (服务号) adapter: signed XML pushes, passive replies, safe mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.startup import StartupRetry
    from adapters.wechat.adapter import WeChatAdapter
    from bot.core import Core
    from bot.settings import Settings


def create_adapter(settings: Settings, core: Core, retry: StartupRetry | None = None) -> WeChatAdapter:
    """Factory the runner calls when ``WECHAT_APP_ID`` is set; ``retry`` is how start-up calls back off."""
    from adapters.wechat.adapter import WeChatAdapter

    return WeChatAdapter(settings, core, retry)
