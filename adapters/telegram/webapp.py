"""Telegram Mini App ``initData``: who opened the pages inside Telegram, checked against the bot token.

A Mini App (the web pages opened from the bot's menu button) gets ``Telegram.WebApp.initData`` from
the Telegram client: a query string (``query_id``, ``user``, ``auth_date``, ``signature``, ``hash``, …)
signed with the bot's token. The page posts it to the server, which trusts the ``user`` in it only
when the signature holds, as Telegram's "Validating data received via the Mini App" says
(https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):

- the secret key is HMAC-SHA-256 of the bot token with the constant string ``WebAppData`` as the key;
- the data-check-string is every received field but ``hash``, sorted by key, each ``key=value``
  (the value URL-decoded), joined by ``"\\n"``;
- the data is Telegram's when ``hash`` is the hex HMAC-SHA-256 of the data-check-string under that key;
- ``auth_date`` (Unix time of the Mini App's opening) is there to refuse outdated data.

``signature`` (Bot API 8.0) is Telegram's Ed25519 signature for third parties, who have no bot token;
for the bot-token check it is one more received field and is part of the data-check-string (a
published ``initData`` that carries one verifies only that way: tests/adapters/telegram/test_webapp.py).
Only the bot-token check is done here: the bot has its token.

Pure and platform-free (standard library only): the route (``POST /webapp/session``) turns any
:class:`InitDataError` into 403.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import parse_qsl

# How old an initData may be. The page posts it to /webapp/session as soon as the Mini App opens, and
# the session it starts is what lasts after; an hour covers a slow network and a phone put away at
# the wrong moment, and bounds the replay of an initData that leaked (a log, a shared URL fragment)
# far below the 24 h many libraries default to. Reopening the Mini App gives a fresh one.
MAX_AGE = timedelta(hours=1)
# auth_date may run this far ahead of our clock (the two clocks' skew); further is refused
FUTURE_SKEW = timedelta(seconds=60)
# the largest initData read: Telegram's are well under 2 KiB (a user, a chat, a receiver, two signatures)
MAX_BYTES = 4096
MAX_FIELDS = 32
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")

Reason = Literal[
    "too large",
    "malformed",
    "duplicate field",
    "missing hash",
    "bad signature",
    "missing auth_date",
    "stale",
    "from the future",
    "malformed user",
]


class InitDataError(ValueError):
    """An initData that is not to be trusted, and why (for the log; the client gets a plain 403)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class MiniAppUser:
    """The Telegram user who opened the Mini App, as signed: the same id as their chat with the bot."""

    id: str
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    auth_date: datetime


def secret_key(bot_token: str) -> bytes:
    """HMAC-SHA-256 of the bot token, keyed with ``WebAppData``."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but ``hash``, sorted by key, as ``key=value`` lines."""
    return "\n".join(f"{key}={value}" for key, value in sorted(fields.items()) if key != "hash")


def verify_init_data(init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE) -> MiniAppUser:
    """The user ``init_data`` names, if Telegram signed it with ``bot_token`` within ``max_age`` of ``now``.

    Raises :class:`InitDataError` saying why not: too large, malformed (not a query string, or not
    UTF-8), a duplicate field, no hash, a bad signature (forged, tampered or another bot's), no
    auth_date, stale or from the future, or a signed ``user`` without an integer id and a first name.
    """
    if not bot_token:
        raise ValueError("no bot token: nothing to check the signature with")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if len(init_data.encode()) > MAX_BYTES:
        raise InitDataError("too large")
    try:
        pairs = parse_qsl(
            init_data, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=MAX_FIELDS
        )
    except ValueError:  # not key=value&…, bad UTF-8 after decoding, or too many fields
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("duplicate field")
    received = fields.get("hash", "")
    if not received:
        raise InitDataError("missing hash")
    expected = hmac.new(secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not _HEX64.fullmatch(received) or not hmac.compare_digest(expected, received.lower()):
        raise InitDataError("bad signature")
    auth_date = _auth_date(fields.get("auth_date"), now)
    if now - auth_date > max_age:
        raise InitDataError("stale")
    if auth_date - now > FUTURE_SKEW:
        raise InitDataError("from the future")
    return _user(fields.get("user"), auth_date)


def _auth_date(value: str | None, now: datetime) -> datetime:
    if not value:
        raise InitDataError("missing auth_date")
    if not value.isascii() or not value.isdigit() or len(value) > 11:  # 11 digits: past the year 5000
        raise InitDataError("malformed")
    return datetime.fromtimestamp(int(value), tz=now.tzinfo)


def _user(value: str | None, auth_date: datetime) -> MiniAppUser:
    """The signed ``user`` JSON: an integer id and a first name; the rest optional strings."""
    try:
        user = json.loads(value) if value else None
    except (ValueError, RecursionError):
        user = None
    if not isinstance(user, dict):
        raise InitDataError("malformed user")
    user_id, first_name = user.get("id"), user.get("first_name")
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not isinstance(first_name, str):
        raise InitDataError("malformed user")

    def optional(key: str) -> str | None:
        text = user.get(key)
        return text if isinstance(text, str) and text else None

    return MiniAppUser(
        id=str(user_id),
        first_name=first_name,
        last_name=optional("last_name"),
        username=optional("username"),
        language_code=optional("language_code"),
        auth_date=auth_date,
    )
