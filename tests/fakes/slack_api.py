"""A fake Slack Web API on 127.0.0.1 with Slack's real answer shapes and limits.

It records every call (``chat.postMessage``, ``views.publish``, response_url posts, file
uploads…), answers ``{"ok": false, "error": …}`` the way Slack does, returns 429 with
``Retry-After``, can fail per channel (``account_inactive``…) or with 5xx, and validates
Block Kit: at most 50 blocks (100 in a view), section text 1–3 000, text ≤ 40 000, no unescaped
``<`` / ``&`` in mrkdwn, at most 25 elements in an actions block with unique action_ids of at most 255
characters, button text ≤ 75, value ≤ 2 000, url ≤ 3 000, and a static select of 1–100 options (text ≤ 75,
value ≤ 150) with a placeholder ≤ 150.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"  # Socket Mode's app-level token
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ANGLE = re.compile(r"<(https?://[^|>\s]+(\|[^>]*)?|[@#!][A-Za-z0-9^|_-]+(\|[^>]*)?)>")


def mrkdwn_problem(text: str) -> str | None:
    """Why Slack would mangle this mrkdwn, or None."""
    stripped = _ANGLE.sub("", text)
    if "<" in stripped or ">" in stripped:
        return "unescaped < or > in mrkdwn"
    if "&" in _ENTITY.sub("", stripped):
        return "unescaped & in mrkdwn"
    return None


def _element_problem(element: dict[str, Any]) -> bool:
    """Whether Slack refuses this block element (a button or a static select)."""
    if len((element.get("text") or {}).get("text", "")) > 75 or len(element.get("value", "")) > 2000:
        return True
    if len(element.get("url", "")) > 3000:
        return True
    if element.get("type") == "static_select":
        options = element.get("options") or []
        if not 1 <= len(options) <= 100 or len((element.get("placeholder") or {}).get("text", "")) > 150:
            return True
        return any(len(o["text"]["text"]) > 75 or len(o.get("value", "")) > 150 for o in options)
    return False


@dataclass
class FakeSlack:
    """State and controls of the fake Web API."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    locales: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # user -> profile display name
    channel_errors: dict[str, str] = field(default_factory=dict)  # channel -> error (account_inactive…)
    rate_limited: deque[int] = field(default_factory=deque)  # Retry-After of the next 429s
    server_errors: deque[int] = field(default_factory=deque)  # statuses of the next 5xx answers
    # the next chat.postMessage calls or response_url posts refused with this error, whatever they hold
    refuse: deque[str] = field(default_factory=deque)
    html_errors: deque[int] = field(default_factory=deque)  # 5xx with a proxy's HTML page, not JSON
    non_json: int = 0  # chat.postMessage answers this many times with a 200 that is not JSON
    non_json_type: str = "text/html"  # its Content-Type: a proxy's page, or one claiming to be JSON
    stall: float = 0.0  # seconds chat.postMessage hangs before answering (client timeouts)
    hold_responses: asyncio.Event | None = None  # response_url posts wait for it (proves the ack came first)
    port: int = 0
    socket_acks: list[dict[str, Any]] = field(default_factory=list)  # what the bot answered on Socket Mode
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    async def start(self) -> None:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info and other reads use GET
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        """Stop serving."""
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """For ``SLACK_API_URL`` / slack_sdk's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in slash commands and interactions."""
        return f"http://127.0.0.1:{self.port}/response/{next(self._ids)}"

    def sent(self, method: str) -> list[dict[str, Any]]:
        """Successful calls of ``method`` ("response" for response_url posts)."""
        return [p for m, p in self.calls if m == method and p.get("_ok")]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until ``count`` successful calls of ``method``."""
        deadline = time.monotonic() + timeout
        while len(self.sent(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method}: {len(self.sent(method))}/{count}; calls {[m for m, _ in self.calls]}")
            await asyncio.sleep(0.01)
        return self.sent(method)

    async def push(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope (``slash_commands``, ``events_api``, ``interactive``) to the bot."""
        deadline = time.monotonic() + 10
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("the bot never opened a Socket Mode connection")
            await asyncio.sleep(0.01)
        envelope_id = f"env-{next(self._ids)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's Socket Mode acknowledgement of ``envelope_id``."""
        deadline = time.monotonic() + timeout
        while True:
            for ack in self.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            if time.monotonic() > deadline:
                raise AssertionError(f"no ack for {envelope_id}: {self.socket_acks}")
            await asyncio.sleep(0.01)

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "connection_info": {"app_id": "A1"},
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
            }
        )
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        self._sockets.remove(ws)
        return ws

    async def _params(self, request: web.Request) -> dict[str, Any]:
        data: dict[str, Any] = dict(request.query)  # slack_sdk puts some methods' arguments in the query
        if request.method == "POST" and request.content_type == "application/json":
            data.update(await request.json())
        elif request.method == "POST":
            data.update(await request.post())
        for key in ("blocks", "view"):
            if isinstance(data.get(key), str):
                data[key] = json.loads(data[key])
        return data

    def _check_blocks(self, blocks: list[dict[str, Any]] | None, limit: int = 50) -> str | None:
        if not blocks:
            return None
        if len(blocks) > limit:
            return "invalid_blocks"
        for block in blocks:
            text = block.get("text") or {}
            if block.get("type") == "section" and len(text.get("text", "")) > 3000:
                return "invalid_blocks"
            if text.get("type") == "mrkdwn" and mrkdwn_problem(text.get("text", "")):
                return "invalid_blocks"
            if block.get("type") == "actions" and len(block.get("elements", [])) > 25:  # Block Kit's limit
                return "invalid_blocks"
            action_ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
            if len(set(action_ids)) < len(action_ids) or any(len(a) > 255 for a in action_ids):
                return "invalid_blocks"
            for element in block.get("elements", []):
                if _element_problem(element):
                    return "invalid_blocks"
            if block.get("type") == "section" and not text.get("text"):
                return "invalid_blocks"
        return None

    def _message_checks(self, params: dict[str, Any]) -> str | None:
        if len(params.get("text") or "") > 40000:
            return "msg_too_long"
        return self._check_blocks(params.get("blocks"))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if method == "apps.connections.open":  # Socket Mode: the app-level token, not the bot's
            if request.headers.get("Authorization", "") != f"Bearer {APP_TOKEN}":
                return web.json_response({"ok": False, "error": "invalid_auth"})
            params["_ok"] = True
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})
        if request.headers.get("Authorization", "") != f"Bearer {TOKEN}" and params.get("token") != TOKEN:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "chat.postMessage":
            if self.stall:
                await asyncio.sleep(self.stall)
            if self.non_json:  # a proxy answering 200 with a page instead of Slack's JSON
                self.non_json -= 1
                body = "OK" if self.non_json_type == "text/plain" else "<html>OK</html>"
                return web.Response(status=200, text=body, content_type=self.non_json_type)
            if self.html_errors:
                return web.Response(
                    status=self.html_errors.popleft(), text="<html>Bad Gateway</html>", content_type="text/html"
                )
            if self.server_errors:
                return web.json_response({"ok": False, "error": "internal_error"}, status=self.server_errors.popleft())
            if self.rate_limited:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(self.rate_limited.popleft())},
                )
            if self.refuse:
                return web.json_response({"ok": False, "error": self.refuse.popleft()})
            channel = str(params.get("channel", ""))
            if channel in self.channel_errors:
                return web.json_response({"ok": False, "error": self.channel_errors[channel]})
        error = None
        result: dict[str, Any] = {}
        if method == "auth.test":
            result = {
                "url": "https://confbot-test.slack.com/",
                "team": "Test",
                "user": "confbot",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            error = self._message_checks(params)
            result = {"channel": params.get("channel"), "ts": f"{time.time():.6f}"}
        elif method == "views.publish":
            error = self._check_blocks((params.get("view") or {}).get("blocks"), limit=100)
            result = {"view": {"id": "V1", **(params.get("view") or {})}}
        elif method == "users.info":
            uid = params.get("user", "")
            result = {
                "user": {
                    "id": uid,
                    "name": uid.lower(),
                    "locale": self.locales.get(uid, "en-US"),
                    "profile": {"display_name": self.names.get(uid, ""), "real_name": uid.title()},
                }
            }
        elif method == "conversations.open":
            dm = "D" + str(params.get("users", "X"))[1:]
            error = self.channel_errors.get(dm)  # a user who is gone can't be DMed either
            result = {"channel": {"id": dm}}
        elif method == "files.getUploadURLExternal":
            n = next(self._ids)
            if not params.get("filename") or not params.get("length"):
                error = "invalid_arguments"
            result = {"upload_url": f"http://127.0.0.1:{self.port}/upload/{n}", "file_id": f"F{n}"}
        elif method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            if not files or not params.get("channel_id"):
                error = "invalid_arguments"
            result = {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files or []]}
        else:
            error = "unknown_method"
        if error:
            return web.json_response({"ok": False, "error": error})
        params["_ok"] = True
        return web.json_response({"ok": True, **result})

    async def _response_url(self, request: web.Request) -> web.Response:
        if self.hold_responses is not None:
            await self.hold_responses.wait()
        params = await self._params(request)
        self.calls.append(("response", params))
        if self.refuse:
            return web.Response(status=400, text=self.refuse.popleft())
        if self._message_checks(params):
            return web.Response(status=400, text="invalid_blocks")
        params["_ok"] = True
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.calls.append(("upload", {"bytes": body, "_ok": True}))
        return web.Response(text="OK - uploaded")
