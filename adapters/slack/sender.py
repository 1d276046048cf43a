"""Sending pushes as Slack DMs within chat.postMessage limits, reporting outcomes."""

from __future__ import annotations

import traceback
from collections.abc import Mapping

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


NOT_SLACK = "not a Slack API answer"


def answer_of(err: SlackApiError) -> tuple[int, str, Mapping[str, str]]:
    """The HTTP status, Slack's ``error`` ("" when the body was not Slack's JSON) and the headers of a
    failed call. slack_sdk raises a 200 whose body is not JSON with aiohttp's response, not its own."""
    response = err.response
    status = getattr(response, "status_code", None)
    if status is None:  # aiohttp's ClientResponse
        status = getattr(response, "status", None) or 0
    data = getattr(response, "data", None)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    headers = getattr(response, "headers", None) or {}
    return int(status), error, headers


def _in_slack_sdk(err: BaseException) -> bool:
    """Whether ``err`` was raised inside slack_sdk itself (not by our code)."""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and "slack_sdk" in frames[-1].filename


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
                status, error, headers = answer_of(err)
                if status == 429 or error == "ratelimited":
                    return SendResult.throttled(float(headers.get("Retry-After", 1)), "429 ratelimited")
                if error in GONE:
                    return SendResult.blocked(error)
                if status >= 500:  # not sent: its rate slot comes back, and one quick retry
                    slot.not_sent()
                    return SendResult.retry_soon(f"{status} {error or NOT_SLACK}")
                if not error:  # a proxy's page, not Slack's JSON (even with a 200): try again later
                    return SendResult("retry", None, f"{status} {NOT_SLACK}")
                return SendResult.failed(error)
            except AttributeError as err:
                if not _in_slack_sdk(err):
                    raise
                # slack_sdk could not read a 200 whose body is text, not JSON (a proxy's "OK")
                return SendResult("retry", None, f"200 {NOT_SLACK}")
            except (aiohttp.ClientError, TimeoutError) as err:
                return SendResult("retry", None, f"network: {err!r}")
        return SendResult.sent()

    def can_send_now(self, channel: str) -> bool:
        """Whether a message to ``channel`` would go out without waiting for its 1/s pace."""
        return self._pace.can_send_now(channel)
