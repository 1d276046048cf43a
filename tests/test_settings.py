"""Settings come from the environment."""

from __future__ import annotations

import pytest

from bot.settings import BUNDLED_CONTENT, Account, Settings


def test_defaults_run_on_sqlite_with_the_bundled_conference(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("CONFBOT_DATABASE_URL", "CONFBOT_CONTENT", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    settings = Settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.content == BUNDLED_CONTENT
    assert settings.telegram_bot_token is None and settings.telegram_rate_limit == 30


@pytest.mark.parametrize("raw", ["telegram:1, slack:U2", '["telegram:1", "slack:U2"]'])
def test_organizers_as_commas_or_json(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CONFBOT_ORGANIZERS", raw)
    assert Settings().organizers == ["telegram:1", "slack:U2"]


def test_platform_variables_use_their_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    settings = Settings()
    assert settings.telegram_bot_token == "123:abc"
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


def test_organizers_are_parsed_once_into_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFBOT_ORGANIZERS", "telegram:1, slack:U2,telegram:1,nocolon,console:a:b")
    settings = Settings()
    assert settings.organizer_accounts == (Account("telegram", "1"), Account("slack", "U2"), Account("console", "a:b"))
    assert [str(a) for a in settings.organizer_accounts] == ["telegram:1", "slack:U2", "console:a:b"]


def test_the_configured_platforms_and_their_send_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "TELEGRAM_RATE_LIMIT", "SLACK_RATE_LIMIT"):
        monkeypatch.delenv(key, raising=False)
    assert Settings().platforms == [] and Settings().send_rates == {}
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_RATE_LIMIT", "2.5")
    assert Settings().send_rates == {"slack": 2.5}
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    assert Settings().platforms == ["telegram", "slack"]
    assert Settings().send_rates == {"telegram": 30.0, "slack": 2.5}


def test_room_hosts_are_parsed_per_room() -> None:
    settings = Settings(_env_file=None, room_hosts="A=telegram:1, A=slack:U2,B=telegram:3,A=telegram:1,bad")  # type: ignore[call-arg]
    hosts = settings.room_host_accounts
    assert [str(a) for a in hosts["A"]] == ["telegram:1", "slack:U2"] and [str(a) for a in hosts["B"]] == ["telegram:3"]
