"""Sending pushes as Slack DMs within chat.postMessage limits, reporting outcomes."""

from __future__ import annotations

import aiohttp
from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.pacing import ChatPacer
from adapters.shared_rate import SharedLimiter
from adapters.slack.outbound import deliver
from bot.chat.messages import Address, Reply
from bot.delivery.sender import SendResult

PER_CHANNEL = 1.0  # messages per second to one DM, Slack's documented chat.postMessage pace
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
        self.rate_per_second = rate_per_second
        # the workspace-wide rate (a rolling second's worth of messages); this replica sends its share (set_share)
        self._workspace = SharedLimiter(rate_per_second)
        self._pace = ChatPacer(lambda _channel: AsyncLimiter(1, 1 / PER_CHANNEL))

    def set_share(self, fraction: float) -> None:
        """Send ``fraction`` of ``rate_per_second`` (the push runtime's share for this replica)."""
        self._workspace.set_share(fraction)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Post to the user's DM (a file is uploaded there); classify Slack's answer."""
        channel = address.chat_id or address.user_id
        async with self._pace(channel), self._workspace.slot() as slot:
            try:
                await deliver(self.client, address.user_id, reply, channel=channel)
            except SlackApiError as err:
                status = err.response.status_code
                data = err.response.data if isinstance(err.response.data, dict) else {}
                error = str(data.get("error", ""))
                if status == 429 or error == "ratelimited":
                    return SendResult.throttled(float(err.response.headers.get("Retry-After", 1)), "429 ratelimited")
                if error in GONE:
                    return SendResult.blocked(error)
                if status >= 500:  # not sent: its rate slot comes back, and one quick retry
                    slot.not_sent()
                    return SendResult.retry_soon(f"{status} {error or 'not a Slack API answer'}")
                if not data:  # a proxy's page, not Slack's JSON: try again later
                    return SendResult("retry", None, f"{status} {error or 'not a Slack API answer'}")
                return SendResult.failed(error or f"HTTP {status}")
            except (aiohttp.ClientError, TimeoutError) as err:
                return SendResult("retry", None, f"network: {err!r}")
        return SendResult.sent()

    def can_send_now(self, channel: str) -> bool:
        """Whether a message to ``channel`` would go out without waiting for its 1/s pace."""
        return self._pace.can_send_now(channel)
