"""Messages the bot sends on its own (pushes, and answers after the passive reply) as WeChat
customer-service messages, within the person's window.

WeChat allows a customer-service message only for a while after the person's last interaction,
and only so many (``adapters/wechat/adapter.py`` says how many; ``bot/delivery/windows.py`` counts
them across replicas). A message for which no window is open is not sent and is reported
``unreachable``: the outbox records it with that outcome, shown in /stats and on the desk.
Docs: developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from adapters.shared_rate import SharedLimiter, Slot
from adapters.wechat.api import ApiError, WeChatApi
from adapters.wechat.one_time import OneTime
from adapters.wechat.render import messages, render
from bot.chat.messages import Address, Reply
from bot.delivery.sender import SendResult
from bot.i18n import t
from bot.platforms import PlatformState

log = logging.getLogger(__name__)
PLATFORM = "wechat"
SEND = "/cgi-bin/message/custom/send"
OUT_OF_WINDOW = {45015, 45047}  # out of the time limit; out of the count of messages
GONE = {43004, 40003}  # the person no longer follows the account; an OpenID not of this account
BUSY = {-1}  # "system busy": try again shortly
QUOTA = {45009: 3600.0, 45011: 60.0}  # the daily and the per-minute API quota: seconds to wait


class WeChatSender:
    """Customer-service text messages, one person's window at a time; no retries of its own."""

    platform = PLATFORM

    def __init__(
        self, api: WeChatApi, state: PlatformState, rate_per_second: float, one_time: OneTime | None = None
    ) -> None:
        self.api = api
        self.rate_per_second = rate_per_second
        self._state = state
        self._rate = SharedLimiter(rate_per_second)
        self._one_time = one_time  # one-time subscriptions, where the account may send them

    def set_share(self, fraction: float) -> None:
        """Send ``fraction`` of ``rate_per_second`` (the push runtime's share for this replica)."""
        self._rate.set_share(fraction)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Send ``reply`` to the person if a window is open for all its messages; classify WeChat's answer."""
        openid = address.user_id
        draft = render(reply)
        count = len(messages(draft.text))
        taken = await asyncio.to_thread(self._state.take_window, PLATFORM, openid, count, list(draft.actions))
        if taken is None:
            granted = await self._one_time.send(openid, reply) if self._one_time else None
            return granted or SendResult.unreachable("outside WeChat's customer-service window")
        return await self._deliver(openid, messages(render(reply, taken[1]).text))

    async def send_parts(self, openid: str, parts: list[str], lang: str) -> SendResult:
        """Send already rendered ``parts`` (what did not go in a passive reply) as far as the window
        allows: if not all fit, the last that fits says the rest could not be sent (never a silent cut)."""
        taken = await asyncio.to_thread(self._state.take_window, PLATFORM, openid, len(parts), partial=True)
        if taken is None:
            return SendResult.unreachable("outside WeChat's customer-service window")
        fit = taken[0]
        if fit < len(parts):
            log.warning("wechat answer to %s cut: %d of %d messages fit its window", openid, fit - 1, len(parts))
            parts = [*parts[: fit - 1], t(lang, "wechat.cut")]
        return await self._deliver(openid, parts)

    async def _deliver(self, openid: str, parts: list[str]) -> SendResult:
        """Each part in order; one not taken stops the rest (its window share comes back if unsent)."""
        for n, part in enumerate(parts):
            result = await self._send_one(openid, part)
            if result.outcome != "sent":
                unsent = len(parts) - n
                if result.outcome in ("retry", "failed") and not result.maybe_delivered:  # not sent: given back
                    await asyncio.to_thread(self._state.give_back_window, PLATFORM, openid, unsent)
                elif result.outcome == "unreachable":  # WeChat counts it closed: no more tries until they write
                    await asyncio.to_thread(self._state.close_window, PLATFORM, openid)
                if n:  # part of it went out: say so rather than send the start again
                    log.warning("wechat message to %s cut after part %d of %d: %s", openid, n, len(parts), result.error)
                    return SendResult.failed(f"sent {n} of {len(parts)} parts: {result.error}")
                return result
        return SendResult.sent()

    async def _send_one(self, openid: str, text: str) -> SendResult:
        payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        async with self._rate.slot() as slot:
            try:
                await self.api.call(SEND, payload)
            except ApiError as err:
                return self._refused(err, slot)
            except TimeoutError:
                return SendResult.timed_out("wechat: no answer in time")
            except (aiohttp.ClientError, OSError) as err:
                slot.not_sent()
                return SendResult.retry_soon(f"network: {type(err).__name__}")
        return SendResult.sent()

    @staticmethod
    def _refused(err: ApiError, slot: Slot) -> SendResult:
        """WeChat's errcode as the outbox's outcome (a refusal that sent nothing gives its rate slot back)."""
        code = err.errcode
        if code in OUT_OF_WINDOW:
            return SendResult.unreachable(f"{code} {err.errmsg}")
        if code in GONE:
            return SendResult.blocked(f"{code} {err.errmsg}")
        if code in QUOTA:
            return SendResult.throttled(QUOTA[code], f"{code} {err.errmsg}")
        if code in BUSY or (code is None and err.status >= 500):
            slot.not_sent()
            return SendResult.retry_soon(str(err))
        if code is None:  # not WeChat's JSON (a proxy's page): try again later
            return SendResult("retry", None, str(err))
        return SendResult.failed(f"{code} {err.errmsg}")
