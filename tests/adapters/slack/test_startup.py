"""Starting the Slack adapter: auth.test checks the bot token, Socket Mode the app token; a rejected
token is fatal naming its variable, an unreachable Web API is retried with one line per attempt."""

from __future__ import annotations

import logging
import socket

import pytest

from adapters.slack import SlackAdapter
from adapters.startup import ConfigurationError, StartupError, StartupRetry
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import SECRET
from tests.fakes.slack_api import APP_TOKEN, TOKEN, FakeSlack

FAST = StartupRetry(attempts=3, base_delay=0.001, max_delay=0.01)


def _adapter(core: Core, api_url: str, token: str = TOKEN, app_token: str | None = None) -> SlackAdapter:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=token,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_APP_TOKEN=app_token,
        SLACK_API_URL=api_url,
    )
    return SlackAdapter(settings, core, FAST)


async def test_a_rejected_bot_token_is_fatal_and_names_the_variable(slack: FakeSlack, core: Core) -> None:
    adapter = _adapter(core, slack.api_url, token="xoxb-wrong-token-1234")
    with pytest.raises(ConfigurationError) as raised:
        await adapter.start()
    assert "SLACK_BOT_TOKEN" in str(raised.value) and "invalid_auth" in str(raised.value)
    assert "xoxb-wrong" not in str(raised.value)
    assert [m for m, _ in slack.calls] == ["auth.test"]  # not retried: retrying cannot help


async def test_a_rejected_app_token_is_fatal_and_names_the_variable(slack: FakeSlack, core: Core) -> None:
    adapter = _adapter(core, slack.api_url, app_token="xapp-wrong")
    with pytest.raises(ConfigurationError) as raised:
        await adapter.start()
    await adapter.stop()
    assert "SLACK_APP_TOKEN" in str(raised.value) and "connections:write" in str(raised.value)


async def test_socket_mode_with_good_tokens_starts(slack: FakeSlack, core: Core) -> None:
    adapter = _adapter(core, slack.api_url, app_token=APP_TOKEN)
    await adapter.start()
    await adapter.stop()
    assert [m for m, _ in slack.calls][:2] == ["auth.test", "apps.connections.open"]


async def test_an_unreachable_web_api_is_retried_one_line_each_then_gives_up(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    adapter = _adapter(core, f"http://127.0.0.1:{port}/api/")
    with caplog.at_level(logging.WARNING), pytest.raises(StartupError) as raised:
        await adapter.start()
    assert not isinstance(raised.value, ConfigurationError)
    assert "Slack auth.test failed" in str(raised.value)
    lines = [r for r in caplog.records if "Slack auth.test failed during start-up" in r.getMessage()]
    assert len(lines) == FAST.attempts and all(r.exc_info is None for r in lines)  # one line each, no traceback
    assert "retrying in" in lines[0].getMessage() and "giving up" in lines[-1].getMessage()
