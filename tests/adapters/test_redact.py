"""The one redacting filter: no configured secret survives in a log line, its arguments or a traceback."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.redact import RedactingFilter, install, secrets_of
from bot.settings import Settings

TOKEN = "7011223344:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SETTINGS = Settings(
    _env_file=None,
    TELEGRAM_BOT_TOKEN=TOKEN,
    TELEGRAM_WEBHOOK_SECRET="hook-secret-9f8e7d",
    SLACK_BOT_TOKEN="xoxb-1111-2222-slackbotsecret",
    SLACK_SIGNING_SECRET="8f742231b10e8888abcd99yyyzzz85a5",
    SLACK_APP_TOKEN="xapp-1-A111-222-appsecret",
    schedule_token="pretalx-token-5b6c7d8e9f",
    WECHAT_APP_SECRET="wechat-app-secret-0a1b2c3d",
    WECHAT_TOKEN="wechat-server-token-77",
    WECHAT_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    database_url="postgresql+psycopg://confbot:p%40ss-w0rd!@db.internal:5432/confbot",
)
SECRETS = [TOKEN, "hook-secret-9f8e7d", "xoxb-1111-2222-slackbotsecret", "8f742231b10e8888abcd99yyyzzz85a5"]
SECRETS += ["xapp-1-A111-222-appsecret", "pretalx-token-5b6c7d8e9f", "wechat-app-secret-0a1b2c3d"]
SECRETS += ["wechat-server-token-77", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "p%40ss-w0rd!", "p@ss-w0rd!"]


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose one handler carries the filter, as the CLI sets up the root logger's handlers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets_of(SETTINGS)))
    logger = logging.getLogger("test_redact")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret
    assert TOKEN.split(":")[1] not in text  # the token's secret half alone too


def test_every_configured_secret_is_found() -> None:
    assert set(secrets_of(SETTINGS)) == {*SECRETS[:-1], TOKEN.split(":")[1]}
    assert secrets_of(Settings(_env_file=None)) == []  # nothing configured, nothing to hide (SQLite has no password)


def test_secrets_in_the_message_and_its_arguments_become_stars(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.warning("POST https://api.telegram.org/bot%s/getMe failed", TOKEN)
    logger.warning("signing with %(secret)s for %(team)s", {"secret": SETTINGS.slack_signing_secret, "team": "T1"})
    logger.warning(f"connecting to {SETTINGS.database_url} with {SETTINGS.slack_app_token}")
    logger.warning("url-encoded: %s", "7011223344%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    text = stream.getvalue()
    assert_clean(text)
    assert "7011223344%3A" not in text
    assert text.splitlines() == [
        "WARNING test_redact: POST https://api.telegram.org/bot***/getMe failed",
        "WARNING test_redact: signing with *** for T1",
        "WARNING test_redact: connecting to postgresql+psycopg://confbot:***@db.internal:5432/confbot with ***",
        "WARNING test_redact: url-encoded: ***",
    ]


def test_secrets_in_an_exception_and_its_cause_are_masked_in_the_traceback(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    try:
        try:
            raise ValueError(f"hook {SETTINGS.telegram_webhook_secret} refused")
        except ValueError as cause:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.") from cause
    except RuntimeError:
        logger.exception("start-up failed for %s", SETTINGS.slack_bot_token)
    text = stream.getvalue()
    assert_clean(text)
    assert "Traceback (most recent call last)" in text and "The token `***` was rejected" in text
    assert "ValueError: hook *** refused" in text


def test_a_record_formatted_by_another_handler_first_is_still_masked(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    other = io.StringIO()
    plain = logging.StreamHandler(other)  # no filter: writes first and caches the traceback text on the record
    logger.handlers.insert(0, plain)
    try:
        raise RuntimeError(TOKEN)
    except RuntimeError:
        logger.exception("boom")
    logger.removeHandler(plain)
    assert TOKEN in other.getvalue()  # the unfiltered handler shows why the filter must sit on every handler
    assert_clean(stream.getvalue())
    assert "RuntimeError: ***" in stream.getvalue()


def test_arguments_that_do_not_fit_the_format_are_masked_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    record = logger.makeRecord("test_redact", logging.ERROR, __file__, 1, "%d items", (TOKEN,), None)
    RedactingFilter(secrets_of(SETTINGS)).filter(record)
    assert record.msg == "%d items" and record.args == ("***",)  # what logging prints when formatting fails


def test_install_puts_one_filter_on_every_root_handler() -> None:
    root = logging.getLogger()
    mine = [logging.StreamHandler(io.StringIO()), logging.StreamHandler(io.StringIO())]
    for handler in mine:
        root.addHandler(handler)
    try:
        install(["first-secret"])
        redacting = install(secrets_of(SETTINGS))  # a second call replaces the first filter
        for handler in root.handlers:
            assert [f for f in handler.filters if isinstance(f, RedactingFilter)] == [redacting]
        logging.getLogger("any.library").error("token %s", TOKEN)
        for handler in mine:
            assert handler.stream.getvalue() == "token ***\n"
    finally:
        for handler in root.handlers:
            for f in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(f)
        for handler in mine:
            root.removeHandler(handler)


def test_an_unexpected_error_in_any_cli_command_is_logged_with_its_secrets_masked(tmp_path: Path) -> None:
    # a command that fails with the token in its error text, run through the real entry point in its own process
    script = (
        "import os\n"
        "from adapters.cli.main import app, main\n"
        "@app.command('explode')\n"
        "def explode() -> None:\n"
        "    raise RuntimeError('POST /bot' + os.environ['TELEGRAM_BOT_TOKEN'] + '/getMe failed')\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "CONFBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", script, "explode"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "CRITICAL confbot: confbot stopped by an unexpected error" in done.stderr
    assert "RuntimeError: POST /bot***/getMe failed" in done.stderr
    assert_clean(done.stdout + done.stderr)
