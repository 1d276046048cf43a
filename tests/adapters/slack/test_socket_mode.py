"""Socket Mode: with SLACK_APP_TOKEN the bot opens a WebSocket (to the fake) instead of serving HTTP."""

from __future__ import annotations

from adapters.slack import SlackAdapter
from bot.core import Core
from bot.settings import Settings
from tests.fakes.slack_api import APP_TOKEN, TOKEN, FakeSlack


async def test_slash_command_over_socket_mode_is_acked_and_answered(slack: FakeSlack, core: Core) -> None:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,  # type: ignore[call-arg]
        SLACK_SIGNING_SECRET="also-set",
        SLACK_API_URL=slack.api_url,
    )
    adapter = SlackAdapter(settings, core)
    assert adapter.routes() == []  # no HTTP endpoint to forge requests against
    await adapter.start()
    try:
        envelope = await slack.push(
            "slash_commands",
            {
                "token": "legacy",
                "team_id": "T1",
                "channel_id": "C0GENERAL",
                "user_id": "U1SOCK",
                "command": "/conf",
                "text": "talk 2",
                "api_app_id": "A1",
                "response_url": slack.response_url(),
                "trigger_id": "1.2.3",
            },
        )
        ack = await slack.wait_for_ack(envelope)  # Slack's 3 s ack, over the socket
        (answer,) = await slack.wait_for("response")
    finally:
        await adapter.stop()
    assert ack == {"envelope_id": envelope}  # an empty ack: the answer itself goes ephemerally
    assert answer["response_type"] == "ephemeral" and "sub 2" in str(answer["blocks"])
