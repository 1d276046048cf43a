"""`confbot run` with WeChat's settings: the adapter is built from them, a missing secret is said before
anything starts, a bad EncodingAESKey names the variable, and the fake's wrong AppSecret stops start-up."""

from __future__ import annotations

import pytest

from adapters.runner import build_adapters, preflight
from adapters.startup import ConfigurationError, StartupRetry
from adapters.wechat.adapter import WeChatAdapter
from bot.core import Core
from bot.settings import Settings
from tests.adapters.wechat.conftest import wechat_settings
from tests.fakes.wechat_api import FakeWeChat


def test_the_runner_serves_wechat_when_its_settings_are_there(core: Core) -> None:
    settings = Settings(_env_file=None, WECHAT_APP_ID="wx1", WECHAT_APP_SECRET="s", WECHAT_TOKEN="t")  # type: ignore[call-arg]
    assert settings.platforms == ["wechat"] and preflight(settings) is None
    (adapter,) = build_adapters(settings, core)
    assert isinstance(adapter, WeChatAdapter) and [r.path for r in adapter.routes()] == ["/wechat"]  # type: ignore[attr-defined]


def test_missing_or_bad_settings_are_named(core: Core) -> None:
    half = Settings(_env_file=None, WECHAT_APP_ID="wx1")  # type: ignore[call-arg]
    problem = preflight(half)
    assert problem is not None and "WECHAT_APP_SECRET" in problem and "WECHAT_TOKEN" in problem
    bad_key = Settings(
        _env_file=None, WECHAT_APP_ID="wx1", WECHAT_APP_SECRET="s", WECHAT_TOKEN="t", WECHAT_AES_KEY="short"
    )  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="WECHAT_AES_KEY"):
        WeChatAdapter(bad_key, core)


async def test_a_wrong_app_secret_stops_start_up_with_the_variables_named(wechat: FakeWeChat, core: Core) -> None:
    settings = wechat_settings(wechat).model_copy(update={"wechat_app_secret": "not-the-secret"})
    adapter = WeChatAdapter(settings, core, StartupRetry(attempts=1))
    with pytest.raises(ConfigurationError, match="WECHAT_APP_SECRET"):
        await adapter.start()
    await adapter.stop()
