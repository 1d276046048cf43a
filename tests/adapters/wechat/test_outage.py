"""With the database away, a WeChat message is still answered within WeChat's 5 s (told to come back),
not with an error WeChat turns into "该公众号暂时无法提供服务"; once it is back, the same person is served."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.wechat.adapter import WeChatAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.db import Database
from tests.adapters.wechat.conftest import serve, wechat_settings
from tests.delivery.test_database_outage import proxied  # noqa: F401 (the fixture)
from tests.factories import small_programme
from tests.fakes.db_cut import CuttingProxy
from tests.fakes.wechat_api import FakeWeChat

pytestmark = pytest.mark.postgres


@pytest.fixture
def outage_core(proxied: tuple[CuttingProxy, Database], clock: FakeClock) -> Iterator[tuple[CuttingProxy, Core]]:  # noqa: F811
    proxy, db = proxied
    core = Core(wechat_settings(FakeWeChat()), db, small_programme(), clock)
    yield proxy, core
    core.close()


async def test_a_message_while_the_database_is_away_gets_a_come_back_answer(
    wechat: FakeWeChat, outage_core: tuple[CuttingProxy, Core]
) -> None:
    proxy, core = outage_core
    served = await serve(WeChatAdapter(wechat_settings(wechat), core))
    wechat.server_url = served.url
    try:
        assert "基于eBPF的可观测" in ((await wechat.user_says("oALICE", "/talk 3")).content or "")
        proxy.cut()
        away = await wechat.user_says("oALICE", "/talk 3")
        assert not away.user_sees_error and "暂时无法使用" in (away.content or "")
        proxy.restore()
        back = await wechat.user_says("oALICE", "/talk 3")
        assert "基于eBPF的可观测" in (back.content or "")
    finally:
        await served.stop()
