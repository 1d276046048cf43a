"""One logging filter that keeps every configured secret out of log lines, their arguments and tracebacks.

The CLI installs it on the root logger's handlers, so every record that reaches the console (PTB's,
httpx's, ours) passes through it: each secret, also URL-encoded, becomes ``***``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

from bot.settings import Settings

MASK = "***"


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets: platform and pretalx tokens, webhook and signing secrets, WeChat's AppSecret,
    Token and EncodingAESKey, the database password."""
    found = [
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.schedule_token,
        settings.wechat_app_secret,
        settings.wechat_token,
        settings.wechat_aes_key,
    ]
    secret_half = (settings.telegram_bot_token or "").partition(":")[2]
    if len(secret_half) >= 16:  # "<bot id>:<secret>": the secret part alone (Telegram's are 35 characters)
        found.append(secret_half)
    try:
        found.append(urlsplit(settings.database_url).password)
    except ValueError:  # a URL that doesn't parse: hide it whole
        found.append(settings.database_url)
    return [secret for secret in found if secret]


class RedactingFilter(logging.Filter):
    """Replaces each secret with ``***`` in a record's message, arguments, traceback and stack."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants = {form for secret in secrets if secret for form in _forms(secret)}
        longest_first = sorted(variants, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        return self._pattern.sub(MASK, text) if self._pattern is not None else text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if self._pattern is None:
            return True
        try:
            record.msg, record.args = self.redact(record.getMessage()), None
        except Exception:  # arguments that don't fit the format: mask the pieces logging will print
            record.msg = self.redact(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(self.redact(str(arg)) for arg in record.args)
            elif record.args is not None:
                record.args = {key: self.redact(str(value)) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # the masked traceback text replaces the exception, so no handler can format it afresh
            record.exc_text, record.exc_info = self.redact(record.exc_text), None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _forms(secret: str) -> set[str]:
    """A secret as it may appear: as is, percent-decoded, percent-encoded."""
    plain = unquote(secret)
    return {secret, plain, quote(plain, safe=""), quote(plain)}


def install(secrets: Iterable[str]) -> RedactingFilter:
    """Put one redacting filter on every handler of the root logger (replacing an earlier one)."""
    redacting = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(redacting)
    return redacting
