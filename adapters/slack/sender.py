"""Sending pushes as Slack DMs within chat.postMessage limits, reporting outcomes."""

from __future__ import annotations

import aiohttp
from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import fallback_text, to_blocks
from bot.delivery import SendResult
from bot.messages import Address, Reply

PER_CHANNEL = 1.0  # messages per second to one DM, Slack's documented chat.postMessage pace
MAX_TRACKED_CHANNELS = 10_000  # idle per-channel buckets are dropped beyond this
GONE = {
    "account_inactive",
    "user_not_found",
    "channel_not_found",
    "is_archived",
    "user_disabled",
    "not_in_channel",
    "cannot_dm_bot",
}


class SlackSender:
    """About 1 msg/s per channel plus a workspace-wide rate; no retries of its own."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, rate_per_second: float = 10.0) -> None:
        self.client = client
        self._workspace = AsyncLimiter(max(1, int(rate_per_second)), 1)
        self._channels: dict[str, AsyncLimiter] = {}

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """chat.postMessage to the user's DM; classify Slack's answer."""
        channel = address.chat_id or address.user_id
        async with self._limiter(channel), self._workspace:
            try:
                await self.client.chat_postMessage(channel=channel, text=fallback_text(reply), blocks=to_blocks(reply))
            except SlackApiError as err:
                status = err.response.status_code
                error = str(err.response.get("error", "")) if err.response.data else ""
                if status == 429 or error == "ratelimited":
                    return SendResult.retry(float(err.response.headers.get("Retry-After", 1)), "429 ratelimited")
                if error in GONE:
                    return SendResult.blocked(error)
                if status >= 500:
                    return SendResult("retry", None, f"{status} {error}".strip())
                return SendResult.failed(error or f"HTTP {status}")
            except (aiohttp.ClientError, TimeoutError) as err:
                return SendResult("retry", None, f"network: {err!r}")
        return SendResult.sent()

    def can_send_now(self, channel: str) -> bool:
        """Whether a message to ``channel`` would go out without waiting for its 1/s pace."""
        limiter = self._channels.get(channel)
        return limiter is None or limiter.has_capacity()

    def _limiter(self, channel: str) -> AsyncLimiter:
        if channel not in self._channels and len(self._channels) >= MAX_TRACKED_CHANNELS:
            self._channels = {c: lim for c, lim in self._channels.items() if not lim.has_capacity()}
        return self._channels.setdefault(channel, AsyncLimiter(1, 1 / PER_CHANNEL))
