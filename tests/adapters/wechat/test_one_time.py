"""One-time subscriptions end to end: the answer to a star offers WeChat's confirm link, WeChat's return
records the grant (a forged return records nothing), and a reminder outside the window then goes out
once as a one-time subscription message; a talk without a grant stays unreachable."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from adapters.wechat.adapter import WeChatAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.storage.models import OutboxMessage
from tests.adapters.wechat.conftest import Served, serve, wechat_settings
from tests.conftest import SHANGHAI
from tests.fakes.wechat_api import FakeWeChat

ALICE = "oALICE"
TEMPLATE = "TPL-reminder-1"


@pytest.fixture
async def served(wechat: FakeWeChat, core: Core) -> AsyncIterator[Served]:
    settings = wechat_settings(wechat).model_copy(
        update={"wechat_subscribe_template": TEMPLATE, "public_url": "https://bot.example.org", "web": True}
    )
    running = await serve(WeChatAdapter(settings, core))
    wechat.server_url = running.url
    yield running
    await running.stop()


def offer_in(content: str | None, talk: int) -> dict[str, str]:
    """The query of the confirm link offered for ``talk``."""
    for href in re.findall(r'<a href="([^"]+)">([^<]*)</a>', content or ""):
        url = html.unescape(href[0])
        if url.startswith("https://mp.weixin.qq.com/mp/subscribemsg") and f"#{talk}" in href[1]:
            return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    raise AssertionError(f"no offer for #{talk} in {content!r}")


async def test_a_granted_reminder_outside_the_window_goes_out_once_as_a_one_time_message(
    wechat: FakeWeChat, served: Served, core: Core, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI))  # three days before talks 4 and 5
    starred = await wechat.user_says(ALICE, "/subscribe 4 5")
    offer = offer_in(starred.content, 4)
    assert offer["appid"] == wechat.app_id and offer["template_id"] == TEMPLATE and offer["scene"] == "4"
    assert offer["redirect_url"] == "https://bot.example.org/wechat/subscribed" and offer["action"] == "get_confirm"

    back = served.url + "/subscribed"
    async with httpx.AsyncClient() as browser:
        forged = {"openid": ALICE, "scene": "5", "template_id": TEMPLATE, "action": "confirm"}
        refused = await browser.get(back, params=forged | {"reserved": offer["reserved"]})  # #4's proof for #5
        assert refused.status_code == 403
        odd = await browser.get(back, params=forged | {"scene": "²", "reserved": offer["reserved"]})
        assert odd.status_code == 400  # not a number WeChat would send: refused, not a server error
        garbled = await browser.get(back, params=forged | {"scene": "4", "reserved": "é" * 32})
        assert garbled.status_code == 403
        wechat.grant(ALICE, TEMPLATE, 4)  # the person tapped "allow" on WeChat's page
        allowed = await browser.get(back, params=forged | {"scene": "4", "reserved": offer["reserved"]})
        assert allowed.status_code == 200 and "#4" in allowed.text

    clock.set(datetime(2026, 12, 13, 9, 50, tzinfo=SHANGHAI))  # #4's reminder is due, 73 h later
    runtime = Runtime(core, {"wechat": served.adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        await runtime.dispatch_now()
        clock.set(datetime(2026, 12, 13, 10, 50, tzinfo=SHANGHAI))  # #5's reminder: no grant for it
        await runtime.dispatch_now()
    finally:
        await runtime.stop()
    (message,) = wechat.subscribe_sent
    assert message["touser"] == ALICE and message["scene"] == "4" and len(message["title"]) <= 15
    assert "#4" in message["data"]["content"]["value"] and message["url"] == "https://bot.example.org/talks/4"
    assert wechat.calls_to("/cgi-bin/message/custom/send") == []
    with core.db.session() as session:
        rows = {r.payload["talk"]: r.status for r in session.scalars(select(OutboxMessage))}
    assert rows == {4: outbox.SENT, 5: outbox.UNREACHABLE}
