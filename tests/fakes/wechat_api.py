"""A fake WeChat Official Account (服务号) platform on 127.0.0.1 that enforces WeChat's documented rules.

It plays both sides. As WeChat's HTTP API (``api_url``, paths as on api.weixin.qq.com, JSON answers
``{"errcode": N, "errmsg": ...}`` with HTTP 200) it is what the bot calls; as WeChat's servers it posts
signed (optionally encrypted) XML pushes to the bot's endpoint (``server_url``) and checks the passive
reply. It imports nothing from ``adapters/``: it is the independent other side. Every request to the
API is recorded in ``calls`` (path, query, JSON), so a test can also assert that no call was made.

Rules enforced, with their sources (OFF = official developers.weixin.qq.com page; COMMUNITY =
community posts, mirrors or third-party code only):

Access token
- ``GET /cgi-bin/token`` → ``{"access_token", "expires_in": 7200}``; each fetch supersedes the previous
  token, and the predecessor keeps working for 5 minutes, then answers 40001 "not latest".
  OFF https://developers.weixin.qq.com/doc/service/en/Basic_Information/Get_access_token.html ,
  https://developers.weixin.qq.com/doc/service/guide/dev/api
- ``POST /cgi-bin/stable_token`` (JSON): normal mode returns the same token while it is valid, renewed
  within its last 5 minutes (the old one keeps working until it expires, so a returned token has
  ``expires_in`` ≥ 300); ``force_refresh`` invalidates the previous stable token at once, at most 20
  a day and 30 s apart; stable tokens and ``/cgi-bin/token`` tokens are isolated from each other.
  OFF https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken . The error codes
  for the force_refresh limits are not documented: 45009 (daily) and 45011 (30 s) are this fake's guess.
- Error codes, OFF https://developers.weixin.qq.com/doc/channels/API/basics/commErrCode.html (the shared
  code table; the 服务号 Global_Return_Code page was not seen): 40013 invalid appid, 41001 access_token
  missing, 42001 access_token expired, 40001 invalid or not latest (also after ``revoke_tokens()``),
  40003 invalid openid, 45002 content size out of limit, 45009 daily quota, 47001 data format error,
  43002 require POST method, 40066 invalid url, -1 system busy. 40125 "invalid appsecret" for a wrong
  secret is COMMUNITY (the errmsg as real answers show it; older docs said 40001 for a wrong secret).

Customer-service message ``POST /cgi-bin/message/custom/send`` (text; news/link accepted, not checked
beyond their shape). OFF https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage ,
https://developers.weixin.qq.com/doc/service/en/guide/product/kf/intro.html
- The recipient must be known (40003) and following (43004 "require subscribe").
- Each interaction opens its own quota: a user message 5 messages within 48 h; a menu click
  (click / scancode_push / scancode_waitmsg), a follow or a QR scan 3 within 1 minute. A send is allowed
  while any open quota has messages left, and counts against every quota open at that moment (so the
  most generous open one decides; quotas never add up). No open quota → 45015; open but used up → 45047.
  (How overlapping quotas combine is not documented; this is the fake's reading.) The quotas are OFF;
  the meanings of 43004, 45015 and 45047 come from COMMUNITY mirrors of the global code table and from
  errmsg strings in community posts.
- A text over 2048 bytes of UTF-8 → 45002. COMMUNITY: the official docs give no number.
- ``custom_send_daily_quota`` (default none; the documented default is 500,000 a day) → 45009.
  OFF https://developers.weixin.qq.com/doc/service/Message_Management/API_Call_Limits.html
- Empty text 44004 and an unknown msgtype 40008 are from the global code table (COMMUNITY mirrors).

Custom menu ``POST /cgi-bin/menu/create``, OFF https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu
- 1–3 buttons (40016), 1–5 sub_buttons (40023), a known type (40017 / 40024 in sub-menus), names
  1–16 bytes at the top and 1–60 bytes in sub-menus (40018 / 40025), keys 1–128 bytes where the type
  needs one (40019 / 40026), urls 1–1024 bytes for view/miniprogram (40020 / 40027). Which of each pair
  is the top-level and which the sub-menu code is from the global code table (COMMUNITY mirrors).

One-time subscription message ``POST /cgi-bin/message/template/subscribe``,
OFF https://developers.weixin.qq.com/doc/service/api/notify/subscribe/api_templatesubscribe.html ,
https://developers.weixin.qq.com/doc/service/en/guide/product/message/One-time_subscription_info.html
- Each authorisation (``grant(openid, template_id, scene)``) allows one message; grants under the same
  scene do not accumulate; following is not needed. Without a grant → 43101 (OFF for the mini-game
  subscribeMessage.send page; COMMUNITY for this endpoint). title ≤ 15 characters, content value ≤ 200
  characters (OFF) → 47003 "argument invalid" (the code is COMMUNITY). Missing template_id → 40037 (COMMUNITY).

Pushes to the bot, OFF https://developers.weixin.qq.com/doc/service/guide/dev/push ,
https://developers.weixin.qq.com/doc/service/guide/product/message/Receiving_event_pushes.html ,
https://developers.weixin.qq.com/doc/service/en/guide/product/message/Passive_user_reply_message.html ,
https://developers.weixin.qq.com/doc/service/en/guide/dev/push/encryption.html
- ``signature`` = SHA-1 hex of the sorted, concatenated [token, timestamp, nonce]; the URL
  verification GET carries ``echostr``, which the bot must return as-is. It stays plaintext in safe mode
  (the docs describe no encrypted echostr for Official Accounts; WeCom's differs).
- Text messages carry a new 64-bit MsgId; events (subscribe with ``qrscene_`` EventKey and Ticket from
  a QR code, SCAN, unsubscribe, CLICK, VIEW) carry none.
- Safe mode: the body is ``<xml><ToUserName/><Encrypt/></xml>``, the query adds ``encrypt_type=aes`` and
  ``msg_signature`` = SHA-1 of sorted [token, timestamp, nonce, Encrypt]; AES-256-CBC with key =
  base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks
  (the 32 comes from the official sample code, COMMUNITY for the MP docs), plaintext = 16 random bytes +
  big-endian length + XML + AppID. The reply must be encrypted the same way with a valid MsgSignature.
- The passive reply must be ``success``, an empty body, or a well-formed reply XML addressed back to the
  user (ToUserName = the user's OpenID, FromUserName = the account). WeChat gives up after 5 s
  (``push_timeout``); the user then sees "该公众号暂时无法提供服务，请稍后再试", as for a malformed reply
  (``Passive.user_sees_error``). WeChat's retries are not automatic here: tests replay with ``post_raw``.
- The ``openid`` query parameter on pushes is as real pushes show it (COMMUNITY), not in the fact sheet.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import re
import secrets
import string
import struct
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.loopback import serve_on_loopback

TOKEN_TTL = 7200  # seconds, the documented expires_in
OVERLAP = 300  # a superseded token keeps working this long (5 minutes)
TEXT_LIMIT = 2048  # bytes of UTF-8 in a customer-service text: COMMUNITY-sourced, the docs give no number
USER_MESSAGE_QUOTA = (5, 48 * 3600)  # messages, seconds: after the user sends a message
EVENT_QUOTA = (3, 60)  # after a menu click, a follow or a QR scan
TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024
KEY_TYPES = {
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
}
URL_TYPES = {"view", "miniprogram"}
MENU_TYPES = KEY_TYPES | URL_TYPES | {"media_id", "article_id", "article_view_limited"}
CLICK_QUOTA_TYPES = {"click", "scancode_push", "scancode_waitmsg"}  # the menu events that open a quota
ERRMSG = {
    -1: "system error",
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40037: "invalid template_id",
    40066: "invalid url",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43002: "require POST method",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, must slower, retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    47003: "argument invalid!",
}
TOKEN_PATHS = ("/cgi-bin/token", "/cgi-bin/stable_token")


def signature(*parts: str) -> str:
    """WeChat's push signature: SHA-1 hex of the parts sorted in dictionary order and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(fields: dict[str, str | int]) -> str:
    body = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{_cdata(v)}</{k}>" for k, v in fields.items())
    return f"<xml>{body}</xml>"


class Crypto:
    """Safe mode's AES-256-CBC envelope (an independent implementation of WeChat's scheme)."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43 or not set(encoding_aes_key) <= set(string.ascii_letters + string.digits):
            raise ValueError("an EncodingAESKey is 43 characters of [a-zA-Z0-9]")
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.app_id = app_id

    def encrypt(self, xml: str) -> str:
        raw = xml.encode()
        plain = os.urandom(16) + struct.pack(">I", len(raw)) + raw + self.app_id.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        """The XML inside; ValueError if the padding, length or AppID is wrong."""
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        pad = plain[-1] if plain else 0
        if not 1 <= pad <= 32 or plain[-pad:] != bytes([pad]) * pad:
            raise ValueError("bad PKCS#7 padding")
        plain = plain[:-pad]
        (length,) = struct.unpack(">I", plain[16:20])
        xml, app_id = plain[20 : 20 + length], plain[20 + length :]
        if app_id.decode() != self.app_id:
            raise ValueError(f"AppID {app_id!r} is not {self.app_id!r}")
        return xml.decode()


@dataclass
class Passive:
    """What the bot answered to one push, as WeChat sees it."""

    status: int  # 0 when WeChat gave up waiting (push_timeout)
    body: str  # as received (the encrypted envelope in safe mode)
    elapsed: float  # wall-clock seconds
    xml: str = ""  # the reply XML (decrypted in safe mode); "" for "success" or an empty body
    to_user: str | None = None
    from_user: str | None = None
    msg_type: str | None = None
    content: str | None = None  # of a text reply
    problem: str | None = None  # why WeChat would not accept the reply, or None
    timed_out: bool = False

    @property
    def user_sees_error(self) -> bool:
        """Whether WeChat would show the user "该公众号暂时无法提供服务，请稍后再试"."""
        return self.timed_out or self.problem is not None or self.status != 200


@dataclass
class _Token:
    family: str  # "token" or "stable"
    expires_at: float
    valid_until: float | None = None  # set when superseded: the 5-minute overlap, or now for force_refresh
    revoked: bool = False


@dataclass
class _Quota:
    opened: float
    count: int
    seconds: float
    used: int = 0

    def open_at(self, now: float) -> bool:
        return self.opened <= now < self.opened + self.seconds


@dataclass
class FakeWeChat:
    """State and controls of the fake WeChat platform (both the API and the pushes)."""

    app_id: str = "wx0123456789abcdef"
    app_secret: str = "fake-app-secret-0123456789abcdef"
    token: str = "confbot-push-token"  # the server token signing pushes
    account_id: str = "gh_0123456789ab"  # the account's original ID (ToUserName of pushes)
    safe_mode: bool = False
    encoding_aes_key: str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    now: Callable[[], float] = time.time  # the clock for token expiry, quotas and CreateTime
    server_url: str = ""  # the bot's endpoint, set by the test
    push_timeout: float = 5.0  # WeChat drops the push after this many wall-clock seconds
    custom_send_daily_quota: int | None = None
    calls: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)  # (path, query, json)
    token_calls: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # accepted custom texts: (openid, content)
    sent_payloads: list[dict[str, Any]] = field(default_factory=list)  # every accepted custom send body
    subscribe_sent: list[dict[str, Any]] = field(default_factory=list)
    menu: dict[str, Any] | None = None
    pushes: list[tuple[str, Passive]] = field(default_factory=list)  # (plain XML pushed, what came back)
    following: set[str] = field(default_factory=set)
    known_users: set[str] = field(default_factory=set)
    port: int = 0
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _quotas: dict[str, list[_Quota]] = field(default_factory=dict)
    _grants: set[tuple[str, str, str]] = field(default_factory=set)
    _failures: deque[tuple[int, str | None]] = field(default_factory=deque)
    _daily_sends: dict[int, int] = field(default_factory=dict)
    _force_refreshes: list[float] = field(default_factory=list)
    _msg_ids: itertools.count = field(  # type: ignore[type-arg]
        default_factory=lambda: itertools.count(24_000_000_000_000_000)
    )
    _runner: web.AppRunner | None = None

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Serve the API on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._api)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """Stands for https://api.weixin.qq.com."""
        return f"http://127.0.0.1:{self.port}"

    # --- controls ---------------------------------------------------------------------

    def revoke_tokens(self) -> None:
        """Every token issued so far answers 40001 from now on (as after an AppSecret reset)."""
        for tok in self._tokens.values():
            tok.revoked = True

    def fail_next(self, code: int, path: str | None = None) -> None:
        """The next call (of ``path``; by default of any path but the token ones) fails once: a
        500–599 ``code`` is an HTTP status, anything else an errcode (-1 is "system busy")."""
        self._failures.append((code, path))

    def grant(self, openid: str, template_id: str, scene: str | int) -> None:
        """The user allowed one one-time subscription message of ``template_id`` under ``scene``."""
        self._grants.add((openid, template_id, str(scene)))

    def interact(self, openid: str, kind: str) -> None:
        """Record a user's interaction at the fake's clock without pushing it to the bot: ``message``,
        ``click`` (a click-type menu button), ``view``, ``follow``, ``scan`` or ``unfollow``."""
        if kind == "unfollow":
            self.following.discard(openid)
            self._quotas.pop(openid, None)
            return
        self.known_users.add(openid)
        self.following.add(openid)
        if kind == "message":
            count, seconds = USER_MESSAGE_QUOTA
        elif kind in ("click", "follow", "scan"):
            count, seconds = EVENT_QUOTA
        elif kind == "view":
            return
        else:
            raise ValueError(f"unknown interaction {kind!r}")
        self._quotas.setdefault(openid, []).append(_Quota(self.now(), count, seconds))

    def calls_to(self, path: str) -> list[tuple[str, dict[str, str], Any]]:
        """The recorded calls of one API path."""
        return [c for c in self.calls if c[0] == path]

    async def wait_for_sent(self, count: int = 1, timeout: float = 10.0) -> list[tuple[str, str]]:
        """Wait until ``count`` customer-service texts were accepted."""
        deadline = time.monotonic() + timeout
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"custom/send: {len(self.sent)}/{count}; calls {[c[0] for c in self.calls]}")
            await asyncio.sleep(0.01)
        return self.sent

    async def wait_for_calls(self, path: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Wait until ``count`` calls of ``path`` (answered or not)."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(path)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(self.calls_to(path))}/{count}; calls {[c[0] for c in self.calls]}")
            await asyncio.sleep(0.01)
        return self.calls_to(path)

    # --- the API ----------------------------------------------------------------------

    @staticmethod
    def _answer(errcode: int, detail: str = "") -> web.Response:
        errmsg = ERRMSG.get(errcode, "error") + (f": {detail}" if detail else "")
        return web.json_response({"errcode": errcode, "errmsg": f"{errmsg} rid: fake-{secrets.token_hex(4)}"})

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        query = dict(request.query)
        raw = await request.read()
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        self.calls.append((path, query, body))
        for i, (code, only) in enumerate(self._failures):
            if only == path or (only is None and path not in TOKEN_PATHS):
                del self._failures[i]
                if 500 <= code <= 599:
                    return web.json_response({"errcode": -1, "errmsg": "system error"}, status=code)
                return self._answer(code)
        handlers: dict[str, tuple[str, Callable[[dict[str, str], Any], web.Response]]] = {
            "/cgi-bin/token": ("GET", self._get_token),
            "/cgi-bin/stable_token": ("POST", self._stable_token),
            "/cgi-bin/message/custom/send": ("POST", self._custom_send),
            "/cgi-bin/menu/create": ("POST", self._menu_create),
            "/cgi-bin/message/template/subscribe": ("POST", self._subscribe),
        }
        if path not in handlers:
            return self._answer(40066)
        method, handler = handlers[path]
        if method == "POST" and request.method != "POST":
            return self._answer(43002)
        if method == "POST":
            if not raw:
                return self._answer(44002)
            if bad_json or not isinstance(body, dict):
                return self._answer(47001)
        if path not in TOKEN_PATHS:
            problem = self._check_token(query.get("access_token", ""))
            if problem:
                return self._answer(problem)
        return handler(query, body)

    def _credentials(self, appid: str, secret: str) -> int:
        if appid != self.app_id:
            return 40013
        if secret != self.app_secret:
            return 40125
        return 0

    def _issue(self, family: str) -> tuple[str, _Token]:
        now = self.now()
        value = f"{family.upper()}_{secrets.token_urlsafe(96)}"
        tok = _Token(family, now + TOKEN_TTL)
        self._tokens[value] = tok
        return value, tok

    def _current(self, family: str) -> tuple[str, _Token] | None:
        now = self.now()
        for value, tok in reversed(self._tokens.items()):
            if tok.family == family and tok.valid_until is None and not tok.revoked and now < tok.expires_at:
                return value, tok
        return None

    def _get_token(self, query: dict[str, str], body: Any) -> web.Response:
        self.token_calls += 1
        problem = self._credentials(query.get("appid", ""), query.get("secret", ""))
        if query.get("grant_type") != "client_credential":
            problem = problem or 40002
        if problem:
            return self._answer(problem)
        now = self.now()
        for tok in self._tokens.values():  # each fetch supersedes: only the latest predecessor overlaps
            if tok.family == "token":
                tok.valid_until = now + OVERLAP if tok.valid_until is None else min(tok.valid_until, now)
        value, _ = self._issue("token")
        return web.json_response({"access_token": value, "expires_in": TOKEN_TTL})

    def _stable_token(self, query: dict[str, str], body: dict[str, Any]) -> web.Response:
        self.token_calls += 1
        problem = self._credentials(str(body.get("appid", "")), str(body.get("secret", "")))
        if body.get("grant_type") != "client_credential":
            problem = problem or 40002
        if problem:
            return self._answer(problem)
        now = self.now()
        current = self._current("stable")
        if body.get("force_refresh") is True:
            self._force_refreshes = [t for t in self._force_refreshes if now - t < 86400]
            if len(self._force_refreshes) >= 20:
                return self._answer(45009, "force_refresh at most 20 a day")
            if self._force_refreshes and now - self._force_refreshes[-1] < 30:
                return self._answer(45011, "force_refresh at least 30 s apart")
            self._force_refreshes.append(now)
            for tok in self._tokens.values():
                if tok.family == "stable":
                    tok.valid_until = now  # invalidated at once
            current = None
        elif current is not None and current[1].expires_at - now <= OVERLAP:
            current[1].valid_until = current[1].expires_at  # renewed; works until it expires
            current = None
        if current is None:
            current = self._issue("stable")
        value, tok = current
        return web.json_response({"access_token": value, "expires_in": int(tok.expires_at - now)})

    def _check_token(self, value: str) -> int:
        if not value:
            return 41001
        tok = self._tokens.get(value)
        if tok is None or tok.revoked:
            return 40001
        now = self.now()
        if now >= tok.expires_at:
            return 42001
        if tok.valid_until is not None and now >= tok.valid_until:
            return 40001
        return 0

    def _beijing_day(self) -> int:
        return int((self.now() + 8 * 3600) // 86400)

    def _custom_send(self, query: dict[str, str], body: dict[str, Any]) -> web.Response:
        openid = str(body.get("touser") or "")
        msgtype = body.get("msgtype")
        if not openid or openid not in self.known_users:
            return self._answer(40003)
        content = ""
        if msgtype == "text":
            content = str((body.get("text") or {}).get("content") or "")
            if not content:
                return self._answer(44004)
            if len(content.encode()) > TEXT_LIMIT:
                return self._answer(45002, f"text over {TEXT_LIMIT} bytes")
        elif msgtype == "news":
            articles = (body.get("news") or {}).get("articles") or []
            if len(articles) != 1 or not articles[0].get("title") or not articles[0].get("url"):
                return self._answer(47001, "news holds one article with a title and a url")
        elif msgtype == "link":
            link = body.get("link") or {}
            if not link.get("title") or not link.get("url"):
                return self._answer(47001, "link needs a title and a url")
        else:
            return self._answer(40008)
        if openid not in self.following:
            return self._answer(43004)
        now = self.now()
        open_quotas = [q for q in self._quotas.get(openid, []) if q.open_at(now)]
        if not open_quotas:
            return self._answer(45015)
        if all(q.used >= q.count for q in open_quotas):
            return self._answer(45047)
        day = self._beijing_day()
        if self.custom_send_daily_quota is not None and self._daily_sends.get(day, 0) >= self.custom_send_daily_quota:
            return self._answer(45009)
        self._daily_sends[day] = self._daily_sends.get(day, 0) + 1
        for q in open_quotas:
            q.used += 1
        self.sent_payloads.append(body)
        if msgtype == "text":
            self.sent.append((openid, content))
        return self._answer(0)

    def _menu_problem(self, menu: dict[str, Any]) -> tuple[int, str] | None:
        buttons = menu.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return 40016, "1 to 3 buttons"
        for button in buttons:
            subs = button.get("sub_button")
            if subs:  # a top-level button that opens a sub-menu needs no type
                if not isinstance(subs, list) or len(subs) > 5:
                    return 40023, "1 to 5 sub_buttons"
                problem = self._button_problem(button, top=True, leaf=False)
                for sub in subs:
                    problem = problem or self._button_problem(sub, top=False, leaf=True)
            else:
                problem = self._button_problem(button, top=True, leaf=True)
            if problem:
                return problem
        return None

    @staticmethod
    def _button_problem(button: dict[str, Any], *, top: bool, leaf: bool) -> tuple[int, str] | None:
        name_limit = TOP_NAME_BYTES if top else SUB_NAME_BYTES
        if not 1 <= len(str(button.get("name") or "").encode()) <= name_limit:
            return (40018 if top else 40025), f"name of 1 to {name_limit} bytes"
        if not leaf:
            return None
        kind = button.get("type")
        if kind not in MENU_TYPES:
            return (40017 if top else 40024), f"unknown type {kind!r}"
        if kind in KEY_TYPES and not 1 <= len(str(button.get("key") or "").encode()) <= KEY_BYTES:
            return (40019 if top else 40026), f"key of 1 to {KEY_BYTES} bytes"
        if kind in URL_TYPES and not 1 <= len(str(button.get("url") or "").encode()) <= URL_BYTES:
            return (40020 if top else 40027), f"url of 1 to {URL_BYTES} bytes"
        return None

    def _menu_create(self, query: dict[str, str], body: dict[str, Any]) -> web.Response:
        problem = self._menu_problem(body)
        if problem:
            errcode, detail = problem
            return web.json_response({"errcode": errcode, "errmsg": f"invalid button: {detail}"})
        self.menu = body
        return self._answer(0)

    def _subscribe(self, query: dict[str, str], body: dict[str, Any]) -> web.Response:
        openid = str(body.get("touser") or "")
        template_id = str(body.get("template_id") or "")
        if not openid:
            return self._answer(40003)
        if not template_id:
            return self._answer(40037)
        if len(str(body.get("title") or "")) > 15:
            return self._answer(47003, "title over 15 characters")
        content = ((body.get("data") or {}).get("content") or {}).get("value")
        if not isinstance(content, str) or not content:
            return self._answer(47003, "data.content.value missing")
        if len(content) > 200:
            return self._answer(47003, "content over 200 characters")
        key = (openid, template_id, str(body.get("scene", "")))
        if key not in self._grants:
            return self._answer(43101)
        self._grants.discard(key)
        self.subscribe_sent.append(body)
        return self._answer(0)

    # --- pushes to the bot --------------------------------------------------------------

    def _crypto(self) -> Crypto:
        return Crypto(self.encoding_aes_key, self.app_id)

    async def verify(self, echostr: str, *, signature_ok: bool = True) -> tuple[int, str]:
        """The server-URL verification GET; returns the bot's (status, body)."""
        timestamp, nonce = str(int(self.now())), str(secrets.randbelow(10**10))
        sig = signature(self.token, timestamp, nonce) if signature_ok else "0" * 40
        params = {"signature": sig, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
        async with aiohttp.ClientSession() as session, session.get(self.server_url, params=params) as resp:
            return resp.status, await resp.text()

    def _message(self, openid: str, fields: dict[str, str | int]) -> str:
        head: dict[str, str | int] = {"ToUserName": self.account_id, "FromUserName": openid}
        return _xml({**head, "CreateTime": int(self.now()), **fields})

    async def user_says(
        self, openid: str, text: str, *, msg_id: int | None = None, menu_id: str | None = None
    ) -> Passive:
        """The user sends a text (a new MsgId unless given); opens their 5-in-48-h quota."""
        self.interact(openid, "message")
        fields: dict[str, str | int] = {"MsgType": "text", "Content": text}
        fields["MsgId"] = msg_id if msg_id is not None else next(self._msg_ids)
        if menu_id is not None:  # an answer picked from a msgmenu
            fields["bizmsgmenuid"] = menu_id
        return await self._push(openid, self._message(openid, fields))

    async def user_clicks(self, openid: str, key: str) -> Passive:
        """The user presses a click-type menu button; opens a 3-in-1-minute quota."""
        self.interact(openid, "click")
        return await self._push(openid, self._message(openid, {"MsgType": "event", "Event": "CLICK", "EventKey": key}))

    async def user_views(self, openid: str, url: str) -> Passive:
        """The user presses a view-type menu button (no quota)."""
        self.interact(openid, "view")
        return await self._push(openid, self._message(openid, {"MsgType": "event", "Event": "VIEW", "EventKey": url}))

    async def user_follows(self, openid: str, scene: str | int | None = None) -> Passive:
        """The user follows the account, through a parameter QR code when ``scene`` is given."""
        self.interact(openid, "scan" if scene is not None else "follow")
        fields: dict[str, str | int] = {"MsgType": "event", "Event": "subscribe"}
        if scene is not None:
            fields.update(EventKey=f"qrscene_{scene}", Ticket=f"TICKET_{scene}")
        return await self._push(openid, self._message(openid, fields))

    async def user_scans(self, openid: str, scene: str | int) -> Passive:
        """The user scans a parameter QR code: SCAN when already following, else a follow."""
        if openid not in self.following:
            return await self.user_follows(openid, scene)
        self.interact(openid, "scan")
        fields: dict[str, str | int] = {"MsgType": "event", "Event": "SCAN", "EventKey": str(scene)}
        fields["Ticket"] = f"TICKET_{scene}"
        return await self._push(openid, self._message(openid, fields))

    async def user_unfollows(self, openid: str) -> Passive:
        """The user unfollows: custom sends to them answer 43004 from now on."""
        self.interact(openid, "unfollow")
        return await self._push(openid, self._message(openid, {"MsgType": "event", "Event": "unsubscribe"}))

    async def post_raw(
        self,
        xml: str,
        *,
        signature_ok: bool = True,
        timestamp: str | int | None = None,
        nonce: str | None = None,
        msg_id: int | None = None,
    ) -> Passive:
        """Push any XML (forged, replayed, stale): no state changes. ``msg_id`` sets its MsgId."""
        if msg_id is not None:
            if "<MsgId>" in xml:
                xml = re.sub(r"<MsgId>[^<]*</MsgId>", f"<MsgId>{msg_id}</MsgId>", xml)
            else:
                xml = xml.replace("</xml>", f"<MsgId>{msg_id}</MsgId></xml>")
        found = re.search(r"<FromUserName><!\[CDATA\[(.*?)\]\]></FromUserName>", xml)
        openid = found.group(1) if found else ""
        return await self._push(openid, xml, signature_ok=signature_ok, timestamp=timestamp, nonce=nonce)

    async def _push(
        self,
        openid: str,
        xml: str,
        *,
        signature_ok: bool = True,
        timestamp: str | int | None = None,
        nonce: str | None = None,
    ) -> Passive:
        if not self.server_url:
            raise AssertionError("set FakeWeChat.server_url to the bot's endpoint before pushing")
        ts = str(int(self.now()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))
        params = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
        body = xml
        if self.safe_mode:
            encrypted = self._crypto().encrypt(xml)
            body = _xml({"ToUserName": self.account_id, "Encrypt": encrypted})
            params.update(encrypt_type="aes", msg_signature=signature(self.token, ts, nonce, encrypted))
        if not signature_ok:
            params["signature"] = signature("forged", ts, nonce)
            if self.safe_mode:
                params["msg_signature"] = signature("forged", ts, nonce, "x")
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=self.push_timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(
                    self.server_url, params=params, data=body.encode(), headers={"Content-Type": "text/xml"}
                ) as resp,
            ):
                status, text = resp.status, await resp.text()
        except TimeoutError:
            passive = Passive(0, "", time.monotonic() - started, problem="no answer within 5 s", timed_out=True)
            self.pushes.append((xml, passive))
            return passive
        passive = self._read_reply(openid, status, text, time.monotonic() - started)
        self.pushes.append((xml, passive))
        return passive

    def _read_reply(self, openid: str, status: int, text: str, elapsed: float) -> Passive:
        passive = Passive(status, text, elapsed)
        if status != 200:
            passive.problem = f"HTTP {status}"
            return passive
        if text in ("", "success"):
            return passive
        try:
            root = ET.fromstring(text)
            if self.safe_mode:
                encrypted = root.findtext("Encrypt") or ""
                stamp, nonce = root.findtext("TimeStamp") or "", root.findtext("Nonce") or ""
                if not encrypted:
                    raise ValueError("safe mode needs an encrypted reply")
                if root.findtext("MsgSignature") != signature(self.token, stamp, nonce, encrypted):
                    raise ValueError("wrong MsgSignature on the reply")
                passive.xml = self._crypto().decrypt(encrypted)
                root = ET.fromstring(passive.xml)
            else:
                passive.xml = text
        except (ET.ParseError, ValueError) as exc:
            passive.problem = f"malformed reply: {exc}"
            return passive
        passive.to_user, passive.from_user = root.findtext("ToUserName"), root.findtext("FromUserName")
        passive.msg_type = root.findtext("MsgType")
        if passive.msg_type == "text":
            passive.content = root.findtext("Content")
        if not (root.findtext("CreateTime") or "").strip().isdigit():
            passive.problem = "CreateTime is not an integer"
        elif passive.to_user != openid or passive.from_user != self.account_id:
            passive.problem = f"reply addressed {passive.from_user!r} -> {passive.to_user!r}"
        elif passive.msg_type == "text" and not passive.content:
            passive.problem = "a text reply without Content"
        elif not passive.msg_type:
            passive.problem = "no MsgType"
        return passive
