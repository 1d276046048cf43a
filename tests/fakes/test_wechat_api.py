"""The fake WeChat enforces the documented rules, and signs, encrypts and reads pushes as WeChat does.

The bot side here is a tiny aiohttp server with its own few lines of SHA-1 and AES, so that the fake's
crypto is checked against an independent reading of the scheme, not against itself."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.loopback import serve_on_loopback
from tests.fakes.wechat_api import FakeWeChat, signature

T0 = 1_765_000_000.0
USER = "oUSER0000000000000000000001"


class Clock:
    """A settable clock for the fake."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake(clock: Clock) -> AsyncIterator[FakeWeChat]:
    wx = FakeWeChat(now=clock)
    await wx.start()
    yield wx
    await wx.stop()


async def call(fake: FakeWeChat, path: str, body: Any = None, **query: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        if body is None:
            async with session.get(fake.api_url + path, params=query) as resp:
                assert resp.status == 200
                result: dict[str, Any] = await resp.json()
                return result
        async with session.post(fake.api_url + path, params=query, json=body) as resp:
            assert resp.status == 200
            result = await resp.json()
            return result


async def get_token(fake: FakeWeChat) -> str:
    answer = await call(
        fake, "/cgi-bin/token", grant_type="client_credential", appid=fake.app_id, secret=fake.app_secret
    )
    assert answer["expires_in"] == 7200
    return str(answer["access_token"])


async def send(fake: FakeWeChat, token: str, text: str = "hi", to: str = USER) -> int:
    body = {"touser": to, "msgtype": "text", "text": {"content": text}}
    return int((await call(fake, "/cgi-bin/message/custom/send", body, access_token=token))["errcode"])


# --- access token ---------------------------------------------------------------------------


async def test_token_credentials(fake: FakeWeChat) -> None:
    assert (await call(fake, "/cgi-bin/token", grant_type="client_credential", appid="wxnope", secret="x"))[
        "errcode"
    ] == 40013
    wrong_secret = await call(fake, "/cgi-bin/token", grant_type="client_credential", appid=fake.app_id, secret="x")
    assert wrong_secret["errcode"] == 40125
    await get_token(fake)
    assert fake.token_calls == 3


async def test_token_expiry_missing_and_revocation(fake: FakeWeChat, clock: Clock) -> None:
    fake.interact(USER, "message")
    token = await get_token(fake)
    assert await send(fake, token) == 0
    assert (await call(fake, "/cgi-bin/message/custom/send", {"touser": USER}))["errcode"] == 41001
    clock.t += 7200
    assert await send(fake, token) == 42001
    fake.interact(USER, "message")
    fresh = await get_token(fake)
    assert await send(fake, fresh) == 0
    fake.revoke_tokens()
    assert await send(fake, fresh) == 40001
    assert await send(fake, await get_token(fake)) == 0


async def test_refreshed_token_predecessor_works_five_minutes(fake: FakeWeChat, clock: Clock) -> None:
    fake.interact(USER, "message")
    old = await get_token(fake)
    new = await get_token(fake)
    clock.t += 299
    assert await send(fake, old) == 0
    clock.t += 1
    assert await send(fake, old) == 40001
    assert await send(fake, new) == 0


async def test_stable_token(fake: FakeWeChat, clock: Clock) -> None:
    fake.interact(USER, "message")
    body = {"grant_type": "client_credential", "appid": fake.app_id, "secret": fake.app_secret}
    first = await call(fake, "/cgi-bin/stable_token", body)
    clock.t += 1000
    again = await call(fake, "/cgi-bin/stable_token", {**body, "force_refresh": False})
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 6200
    clock.t += 6000  # 200 s left: renewed, the old one still works until it expires
    renewed = await call(fake, "/cgi-bin/stable_token", body)
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 7200
    assert await send(fake, first["access_token"]) == 0
    forced = await call(fake, "/cgi-bin/stable_token", {**body, "force_refresh": True})
    assert await send(fake, renewed["access_token"]) == 40001
    assert await send(fake, forced["access_token"]) == 0
    assert (await call(fake, "/cgi-bin/stable_token", {**body, "force_refresh": True}))["errcode"] == 45011
    assert (await call(fake, "/cgi-bin/stable_token", {**body, "secret": "x"}))["errcode"] == 40125
    await get_token(fake)  # /cgi-bin/token tokens are isolated from stable ones
    assert await send(fake, forced["access_token"]) == 0


# --- customer-service messages ------------------------------------------------------------


async def test_window_after_a_message_is_five_in_48_hours(fake: FakeWeChat, clock: Clock) -> None:
    token = await get_token(fake)
    assert await send(fake, token) == 40003  # never seen
    fake.interact(USER, "message")
    assert [await send(fake, token, f"m{i}") for i in range(6)] == [0, 0, 0, 0, 0, 45047]
    assert fake.sent == [(USER, f"m{i}") for i in range(5)]
    fake.interact(USER, "message")  # a new message opens a fresh quota
    clock.t += 48 * 3600 - 1
    token = await get_token(fake)  # the first one expired long ago
    assert await send(fake, token) == 0
    clock.t += 1
    assert await send(fake, token) == 45015


async def test_window_after_a_click_is_three_in_a_minute(fake: FakeWeChat, clock: Clock) -> None:
    token = await get_token(fake)
    fake.interact(USER, "click")
    assert [await send(fake, token) for _ in range(4)] == [0, 0, 0, 45047]
    fake.interact(USER, "follow")
    clock.t += 59
    assert await send(fake, token) == 0
    clock.t += 1
    assert await send(fake, token) == 45015
    fake.interact(USER, "view")  # a view-type button opens no quota
    assert await send(fake, token) == 45015


async def test_the_most_generous_open_quota_decides(fake: FakeWeChat, clock: Clock) -> None:
    token = await get_token(fake)
    fake.interact(USER, "message")
    assert [await send(fake, token) for _ in range(5)] == [0] * 5
    fake.interact(USER, "click")  # the used-up 48-h quota doesn't stop the click's 3
    assert [await send(fake, token) for _ in range(4)] == [0, 0, 0, 45047]


async def test_unfollow_long_text_quota_and_injected_failures(fake: FakeWeChat) -> None:
    token = await get_token(fake)
    fake.interact(USER, "message")
    assert await send(fake, token, "字" * 682) == 0  # 2046 bytes
    assert await send(fake, token, "字" * 683) == 45002
    fake.fail_next(-1)
    assert await send(fake, token) == -1
    fake.fail_next(502)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.api_url}/cgi-bin/message/custom/send", params={"access_token": token}, json={"touser": USER}
        ) as resp,
    ):
        assert resp.status == 502
    fake.custom_send_daily_quota = 1
    assert await send(fake, token) == 45009
    fake.interact(USER, "unfollow")
    assert await send(fake, token) == 43004
    assert len(fake.sent) == 1
    assert len(fake.calls_to("/cgi-bin/message/custom/send")) == 6


# --- menu ---------------------------------------------------------------------------------


def click(name: str = "Agenda", key: str = "AGENDA") -> dict[str, Any]:
    return {"type": "click", "name": name, "key": key}


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [click()] * 4}, 40016),
        ({"button": [{"name": "More", "sub_button": [click()] * 6}]}, 40023),
        ({"button": [click(name="日程安排和会议地点")]}, 40018),  # 27 bytes
        ({"button": [{"name": "More", "sub_button": [click(name="x" * 61)]}]}, 40025),
        ({"button": [click(key="k" * 129)]}, 40019),
        ({"button": [{"type": "click", "name": "Agenda"}]}, 40019),
        ({"button": [{"name": "More", "sub_button": [{"type": "click", "name": "A"}]}]}, 40026),
        ({"button": [{"type": "view", "name": "Web"}]}, 40020),
        ({"button": [{"type": "view", "name": "Web", "url": "https://x.cn/" + "a" * 1012}]}, 40020),
        ({"button": [{"name": "More", "sub_button": [{"type": "view", "name": "W", "url": ""}]}]}, 40027),
        ({"button": [{"type": "nope", "name": "X"}]}, 40017),
        ({"button": [{"name": "More", "sub_button": [{"type": "nope", "name": "X"}]}]}, 40024),
    ],
)
async def test_menu_limits(fake: FakeWeChat, menu: dict[str, Any], errcode: int) -> None:
    answer = await call(fake, "/cgi-bin/menu/create", menu, access_token=await get_token(fake))
    assert answer["errcode"] == errcode
    assert fake.menu is None


async def test_menu_stored(fake: FakeWeChat) -> None:
    menu = {
        "button": [
            click(name="日程安排"),  # 12 bytes
            {"type": "view", "name": "Web", "url": "https://x.cn/" + "a" * 1011},  # 1024 bytes
            {"name": "More", "sub_button": [click(name="x" * 60, key="k" * 128)] * 5},
        ]
    }
    assert (await call(fake, "/cgi-bin/menu/create", menu, access_token=await get_token(fake)))["errcode"] == 0
    assert fake.menu == menu


# --- one-time subscription messages ------------------------------------------------------


async def test_subscribe_grant_is_used_once(fake: FakeWeChat) -> None:
    token = await get_token(fake)
    body = {
        "touser": USER,
        "template_id": "TPL",
        "scene": 1000,
        "title": "Talk starts",
        "data": {"content": {"value": "eBPF in room A", "color": "#000000"}},
    }
    path = "/cgi-bin/message/template/subscribe"
    assert (await call(fake, path, body, access_token=token))["errcode"] == 43101
    fake.grant(USER, "TPL", 1000)
    fake.grant(USER, "TPL", "1000")  # the same scene doesn't accumulate
    assert (await call(fake, path, {**body, "title": "x" * 16}, access_token=token))["errcode"] == 47003
    long = {**body, "data": {"content": {"value": "x" * 201}}}
    assert (await call(fake, path, long, access_token=token))["errcode"] == 47003
    assert (await call(fake, path, body, access_token=token))["errcode"] == 0
    assert (await call(fake, path, body, access_token=token))["errcode"] == 43101
    assert fake.subscribe_sent == [body]


# --- pushes: a tiny bot that checks WeChat's signing on its own ---------------------------


def own_sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def own_key(fake: FakeWeChat) -> bytes:
    return base64.b64decode(fake.encoding_aes_key + "=")


def own_decrypt(fake: FakeWeChat, encrypted: str) -> str:
    key = own_key(fake)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    assert plain[20 + length :] == fake.app_id.encode()
    return plain[20 : 20 + length].decode()


def own_encrypt(fake: FakeWeChat, xml: str) -> str:
    key = own_key(fake)
    plain = os.urandom(16) + struct.pack(">I", len(xml.encode())) + xml.encode() + fake.app_id.encode()
    pad = 32 - len(plain) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()


class Bot:
    """The bot's endpoint: checks signatures, echoes the text back as a passive reply."""

    def __init__(self, fake: FakeWeChat) -> None:
        self.fake = fake
        self.received: list[str] = []
        self.delay = 0.0
        self.reply = "echo"  # "echo", "success", "plain" (unencrypted in safe mode) or "json"

    async def handle(self, request: web.Request) -> web.Response:
        q = request.query
        if q["signature"] != own_sign(self.fake.token, q["timestamp"], q["nonce"]):
            return web.Response(status=403, text="bad signature")
        if request.method == "GET":
            return web.Response(text=q["echostr"])
        body = await request.text()
        if q.get("encrypt_type") == "aes":
            encrypted = ET.fromstring(body).findtext("Encrypt") or ""
            if q["msg_signature"] != own_sign(self.fake.token, q["timestamp"], q["nonce"], encrypted):
                return web.Response(status=403, text="bad msg_signature")
            body = own_decrypt(self.fake, encrypted)
        self.received.append(body)
        await asyncio.sleep(self.delay)
        root = ET.fromstring(body)
        if self.reply == "success":
            return web.Response(text="success")
        if self.reply == "json":
            return web.json_response({"text": "no"})
        said = f"you said: {root.findtext('Content') or root.findtext('Event')}".replace("]]>", "]]]]><![CDATA[>")
        reply = (
            f"<xml><ToUserName><![CDATA[{root.findtext('FromUserName')}]]></ToUserName>"
            f"<FromUserName><![CDATA[{root.findtext('ToUserName')}]]></FromUserName>"
            f"<CreateTime>{int(self.fake.now())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{said}]]></Content></xml>"
        )
        if q.get("encrypt_type") != "aes" or self.reply == "plain":
            return web.Response(text=reply, content_type="application/xml")
        encrypted, stamp, nonce = own_encrypt(self.fake, reply), "1765000123", "42"
        return web.Response(
            text=f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{own_sign(self.fake.token, stamp, nonce, encrypted)}]]></MsgSignature>"
            f"<TimeStamp>{stamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>",
            content_type="application/xml",
        )


@pytest.fixture
async def bot(fake: FakeWeChat) -> AsyncIterator[Bot]:
    endpoint = Bot(fake)
    app = web.Application()
    app.router.add_route("*", "/wechat", endpoint.handle)
    runner, port = await serve_on_loopback(app)
    fake.server_url = f"http://127.0.0.1:{port}/wechat"
    yield endpoint
    await runner.cleanup()


def test_signature_matches_the_documented_example() -> None:
    assert signature("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"


async def test_verify_and_forged_pushes(fake: FakeWeChat, bot: Bot) -> None:
    assert await fake.verify("echo-123") == (200, "echo-123")
    assert (await fake.verify("echo-123", signature_ok=False))[0] == 403
    forged = await fake.post_raw("<xml><Content>x</Content></xml>", signature_ok=False)
    assert forged.status == 403 and forged.user_sees_error and bot.received == []


@pytest.mark.parametrize("safe_mode", [False, True])
async def test_pushes_and_passive_replies(fake: FakeWeChat, bot: Bot, clock: Clock, safe_mode: bool) -> None:
    fake.safe_mode = safe_mode
    passive = await fake.user_says(USER, "你好 ]]> there", menu_id="101")
    assert (passive.status, passive.to_user, passive.from_user) == (200, USER, fake.account_id)
    assert (passive.msg_type, passive.content, passive.problem) == ("text", "you said: 你好 ]]> there", None)
    assert passive.elapsed < 5 and not passive.user_sees_error
    pushed = ET.fromstring(bot.received[0])
    assert pushed.findtext("Content") == "你好 ]]> there" and pushed.findtext("bizmsgmenuid") == "101"
    assert pushed.findtext("CreateTime") == str(int(T0)) and pushed.findtext("MsgId")
    await fake.user_follows("oNEW", scene=7)
    await fake.user_scans("oNEW", 8)
    await fake.user_clicks(USER, "AGENDA")
    await fake.user_views(USER, "https://example.cn/a")
    await fake.user_unfollows(USER)
    events = [(ET.fromstring(x).findtext("Event"), ET.fromstring(x).findtext("EventKey")) for x in bot.received[1:]]
    assert events == [
        ("subscribe", "qrscene_7"),
        ("SCAN", "8"),
        ("CLICK", "AGENDA"),
        ("VIEW", "https://example.cn/a"),
        ("unsubscribe", None),
    ]
    assert all(ET.fromstring(x).findtext("MsgId") is None for x in bot.received[1:])
    assert fake.following == {"oNEW"}
    replayed = await fake.post_raw(bot.received[0], msg_id=99)
    assert ET.fromstring(bot.received[-1]).findtext("MsgId") == "99" and replayed.content


async def test_replies_wechat_refuses(fake: FakeWeChat, bot: Bot) -> None:
    bot.reply = "success"
    passive = await fake.user_says(USER, "hi")
    assert passive.body == "success" and passive.content is None and not passive.user_sees_error
    bot.reply = "json"
    assert (await fake.user_says(USER, "hi")).user_sees_error
    fake.safe_mode, bot.reply = True, "plain"  # a plaintext reply in safe mode
    assert (await fake.user_says(USER, "hi")).problem
    fake.push_timeout, bot.delay, bot.reply = 0.2, 0.5, "echo"
    late = await fake.user_says(USER, "hi")
    assert late.timed_out and late.user_sees_error
