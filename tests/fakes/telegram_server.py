"""A fake Telegram Bot API on 127.0.0.1 that enforces Telegram's rules.

It validates every call against the published Bot API (tests/data/telegram-bot-api.json:
unknown method, missing required field, wrong basic type), and rejects what Telegram rejects:
bad HTML entities, texts over 4096 characters, callback data over 64 bytes, flood (429 with
``retry_after``), blocked users (403), unknown chats (400) and injected 5xx. It serves
long polling from a queue the test feeds with updates in Telegram's exact JSON shape, and
records every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import itertools
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback

SPEC = json.loads((Path(__file__).resolve().parents[1] / "data" / "telegram-bot-api.json").read_text())
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
BOT = {
    "id": 777000,
    "is_bot": True,
    "first_name": "confbot",
    "username": "confbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}


def spec_object(type_name: str, **values: Any) -> dict[str, Any]:
    """An object of the Bot API type ``type_name`` as the spec defines it: ``values`` must be its
    fields; required fields not given get a neutral value (False, 0, "", [], or such an object)."""
    fields = {f["name"]: f for f in SPEC["types"][type_name]["fields"]}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"{type_name} has no field {sorted(unknown)}")
    out: dict[str, Any] = {}
    for name, f in fields.items():
        if name in values:
            if values[name] is not None:
                out[name] = values[name]
        elif f["required"]:
            kind = f["types"][0]
            neutral = {"Boolean": False, "Integer": 0, "Float": 0.0, "String": ""}
            if kind in neutral:
                out[name] = neutral[kind]
            elif kind.startswith("Array"):
                out[name] = []
            else:
                out[name] = spec_object(kind)
    return out


@dataclass
class FakeChannel:
    """A Telegram channel: its owner and admins (user ids), and what the bot may do there."""

    id: int
    title: str
    username: str | None = None  # without the @
    owner: int | None = None
    admins: set[int] = field(default_factory=set)
    bot_role: str = "administrator"  # "administrator", "member" (may not post) or "left" (not in it)
    bot_can_post: bool = True  # as an administrator

    def chat(self) -> dict[str, Any]:
        """The channel as a Chat."""
        return spec_object("Chat", id=self.id, type="channel", title=self.title, username=self.username)

    def member(self, user_id: int) -> dict[str, Any]:
        """getChatMember's answer for ``user_id`` (the bot's own id included)."""
        user = BOT if user_id == BOT["id"] else {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if user_id == BOT["id"]:
            if self.bot_role == "administrator":
                return spec_object(
                    "ChatMemberAdministrator", status="administrator", user=user, can_post_messages=self.bot_can_post
                )
            return spec_object(
                "ChatMemberMember" if self.bot_role == "member" else "ChatMemberLeft", status=self.bot_role, user=user
            )
        if user_id == self.owner:
            return spec_object("ChatMemberOwner", status="creator", user=user)
        if user_id in self.admins:
            return spec_object("ChatMemberAdministrator", status="administrator", user=user, can_post_messages=True)
        return spec_object("ChatMemberLeft", status="left", user=user)


class ApiError(Exception):
    """An error answer: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class _EntityChecker(HTMLParser):
    """Parses Telegram HTML; collects the visible text; raises on what Telegram refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            raise ApiError(400, "Bad Request: can't parse entities: a tag without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(
                400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            )
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_html(text: str) -> str:
    """The visible text of valid Telegram HTML; ApiError otherwise."""
    for i, ch in enumerate(text):  # a bare '<' or '&' that starts no tag/entity is an error
        if ch == "&":
            tail = text[i : i + 12]
            if not (tail.startswith(("&lt;", "&gt;", "&amp;", "&quot;")) or tail[1:2] == "#"):
                raise ApiError(400, f"Bad Request: can't parse entities: Character '&' is reserved at byte offset {i}")
        if ch == "<":
            nxt = text[i + 1 : i + 2]
            if not (nxt.isalpha() or nxt == "/"):
                raise ApiError(400, f"Bad Request: can't parse entities: Unexpected character '<' at byte offset {i}")
    checker = _EntityChecker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{checker.stack[-1]}\"",
        )
    return html.unescape("".join(checker.visible))


def _coerce(value: Any, types: list[str], name: str) -> Any:
    """Check a parameter's basic type the way the Bot API does."""
    if isinstance(value, str) and types != ["String"] and value[:1] in "[{":
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    ok = False
    for kind in types:
        if kind == "Integer":
            try:
                int(value)
                ok = True
            except (TypeError, ValueError):
                pass
        elif kind in ("String", "InputFile"):
            ok = ok or isinstance(value, str | bytes) or kind == "InputFile"
        elif kind == "Boolean":
            ok = ok or value in (True, False, "true", "false", "True", "False")
        elif kind in ("Float", "Float number"):
            try:
                float(value)
                ok = True
            except (TypeError, ValueError):
                pass
        elif kind.startswith("Array of"):
            ok = ok or isinstance(value, list)
        else:  # an object type
            ok = ok or isinstance(value, dict)
    if not ok:
        raise ApiError(400, f'Bad Request: field "{name}" must be of type {" or ".join(types)}')
    return value


def _markup_key(params: dict[str, Any]) -> str:
    """A message's inline keyboard, comparable."""
    return json.dumps(params.get("reply_markup"), sort_keys=True)


@dataclass
class FakeTelegram:
    """State and controls of the fake Bot API."""

    token: str = "123456:TEST-token"
    rate_limit: float | None = None  # enforce N msg/s globally with real 429s
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    unknown_chats: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)  # group id -> its new supergroup id
    flood: deque[int] = field(default_factory=deque)  # retry_after values of the next 429s
    server_errors: deque[int] = field(default_factory=deque)  # statuses of the next 5xx
    # the next sendMessage / editMessageText calls refused with a 400 of this description, whatever they hold
    refuse: deque[str] = field(default_factory=deque)
    fail_every: int = 0  # every Nth delivery attempt gets a 502
    fault_rate: float = 0.0  # share of calls (any method) answered 502, drawn from a generator seeded by fault_seed
    fault_seed: int = 0
    fault_methods: frozenset[str] | None = None  # the methods fault_rate applies to; None: every method
    echo_unknown_paths: bool = False  # a path outside /bot<token>/<method> gets a 404 page naming the path
    _faults: random.Random | None = None
    slow_answers: int = 0  # the next N successful sendMessage calls are delivered, then answered late
    slow_seconds: float = 1.0
    # seconds the next calls of a method wait before they are handled (a Bot API slow to answer them)
    slow_calls: dict[str, deque[float]] = field(default_factory=dict)
    _attempts: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook_url: str = ""
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(100))  # type: ignore[type-arg]
    _sent_times: deque[float] = field(default_factory=deque)
    messages: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (chat, id) -> text, markup
    last_messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # chat -> last Message sent there
    polls: dict[str, dict[str, Any]] = field(default_factory=dict)  # Telegram poll id -> the Poll sent
    poll_messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # (chat, id) -> Poll
    channels: dict[int, FakeChannel] = field(default_factory=dict)  # channel id -> the channel
    files: dict[str, str] = field(default_factory=dict)  # file_id -> "photo" | "document": what users sent
    # the command menus set: (scope type, chat id or None, language code or "") -> command names
    menus: dict[tuple[str, int | None, str], list[str]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    port: int = 0

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        if self.echo_unknown_paths:  # like many web servers: "Cannot POST /wrong/bot123:abc/getMe"
            app.router.add_route("*", "/{path:.*}", self._unknown_path)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        """Stop serving."""
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """For python-telegram-bot's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- feeding updates (Telegram's exact shapes) ----------------------------------

    def _user(self, user_id: int, lang: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": lang}

    def _chat(self, chat_id: int, user_id: int) -> dict[str, Any]:
        if chat_id in self.channels:
            return self.channels[chat_id].chat()
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "eBPF attendees"}
        return {"id": chat_id, "type": "private", "first_name": f"User{user_id}"}

    def message_update(
        self, user_id: int, text: str, *, lang: str = "zh-hans", chat_id: int | None = None
    ) -> dict[str, Any]:
        """A text message (commands get their bot_command entity)."""
        update_id = next(self._ids)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": self._user(user_id, lang),
            "chat": self._chat(chat_id or user_id, user_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def file_update(
        self, user_id: int, caption: str | None = None, *, kind: str = "photo", lang: str = "zh-hans"
    ) -> dict[str, Any]:
        """A photo (in three sizes, as Telegram sends one) or a document in the user's private chat,
        with an optional caption (a command gets its bot_command caption entity)."""
        n = next(self._ids)
        message = spec_object(
            "Message",
            message_id=next(self._message_ids),
            date=int(time.time()),
            chat=self._chat(user_id, user_id),
            caption=caption,
        )
        message["from"] = self._user(user_id, lang)
        if kind == "photo":
            sizes = [(90, 67), (320, 240), (1280, 960)]
            message["photo"] = [
                spec_object("PhotoSize", file_id=f"AgAC-{n}-{w}", file_unique_id=f"AQAD-{n}-{w}", width=w, height=h)
                for w, h in sizes
            ]
            self.files.update({p["file_id"]: "photo" for p in message["photo"]})
        else:
            message["document"] = spec_object(
                "Document",
                file_id=f"BQAC-{n}",
                file_unique_id=f"AgAD-{n}",
                file_name="scan.pdf",
                mime_type="application/pdf",
            )
            self.files[f"BQAC-{n}"] = "document"
        if caption and caption.startswith("/"):
            message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": len(caption.split()[0])}]
        return {"update_id": next(self._ids), "message": message}

    def channel_post_update(self, channel_id: int, text: str, *, signature: str | None = None) -> dict[str, Any]:
        """A post in a channel: no ``from``; ``sender_chat`` is the channel (a signature is just a name)."""
        chat = self.channels[channel_id].chat()
        post = spec_object(
            "Message",
            message_id=next(self._message_ids),
            date=int(time.time()),
            chat=chat,
            sender_chat=chat,
            text=text,
            author_signature=signature,
        )
        if text.startswith("/"):
            post["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._ids), "channel_post": post}

    def callback_update(
        self, user_id: int, data: str, message: dict[str, Any] | None, *, lang: str = "zh-hans"
    ) -> dict[str, Any]:
        """A pressed inline button on ``message`` (as returned by sendMessage), or with ``None``
        on a message someone shared through inline mode (Telegram then sends inline_message_id)."""
        where: dict[str, Any] = {"message": message} if message is not None else {"inline_message_id": "AAQxyz"}
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": str(next(self._ids) * 1000),
                "from": self._user(user_id, lang),
                **where,
                "chat_instance": "42",
                "data": data,
            },
        }

    def inline_update(self, user_id: int, query: str, *, lang: str = "en") -> dict[str, Any]:
        """``@bot query`` typed in any chat."""
        return {
            "update_id": next(self._ids),
            "inline_query": {
                "id": str(next(self._ids) * 1000),
                "from": self._user(user_id, lang),
                "query": query,
                "offset": "",
            },
        }

    def poll_answer_update(
        self, user_id: int, poll_id: str, option_ids: list[int], *, lang: str = "en"
    ) -> dict[str, Any]:
        """Someone answers (or, with no options, retracts) a non-anonymous poll the bot sent."""
        poll = self.polls[poll_id]
        answer = spec_object(
            "PollAnswer",
            poll_id=poll_id,
            user=self._user(user_id, lang),
            option_ids=option_ids,
            option_persistent_ids=[poll["options"][i]["persistent_id"] for i in option_ids],
        )
        return {"update_id": next(self._ids), "poll_answer": answer}

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates."""
        self.updates.append(update)
        self._new_update.set()
        return update

    # --- inspecting --------------------------------------------------------------------

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict[str, Any]]:
        """Successful calls of ``method`` (optionally to one chat)."""
        return [
            p
            for m, p in self.calls
            if m == method and p.get("_ok") and (chat_id is None or str(p.get("chat_id")) == str(chat_id))
        ]

    def busiest_second(self, method: str = "sendMessage") -> int:
        """The most successful ``method`` calls answered within any 1-second window (a per-second counter)."""
        times = sorted(p["_t"] for p in self.sent(method))
        best = first = 0
        for last, t in enumerate(times):
            while t - times[first] >= 1.0:
                first += 1
            best = max(best, last - first + 1)
        return best

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, chat_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` successful ``method`` calls were made."""
        deadline = time.monotonic() + timeout
        while len(self.sent(method, chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{method}: {len(self.sent(method, chat_id))} calls, wanted {count}; calls: "
                    f"{[m for m, _ in self.calls][-20:]}"
                )
            await asyncio.sleep(0.01)
        return self.sent(method, chat_id)

    # --- the API -------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        if request.content_type.startswith("multipart/"):
            out: dict[str, Any] = {}
            reader = await request.multipart()
            async for part in reader:  # type: ignore[union-attr]
                out[str(part.name)] = await part.read() if part.filename else await part.text()  # type: ignore[union-attr]
            return out
        return dict(await request.post()) if request.can_read_body else dict(request.query)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        record = params  # validation parses JSON-encoded fields in place
        self.calls.append((method, record))
        if self.slow_calls.get(method):
            await asyncio.sleep(self.slow_calls[method].popleft())
        try:
            self._inject_fault(method)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            result = await self._dispatch(method, params)
        except ApiError as err:
            record["_status"], record["_t"] = err.status, time.monotonic()
            body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            return web.json_response(body, status=err.status)
        record["_ok"], record["_t"] = True, time.monotonic()
        if method == "sendMessage" and self.slow_answers:  # delivered; the answer is late
            self.slow_answers -= 1
            await asyncio.sleep(self.slow_seconds)
        return web.json_response({"ok": True, "result": result})

    def _inject_fault(self, method: str) -> None:
        """A 502 from the gateway in front of the API, for ``fault_rate`` of the calls (deterministic per seed)."""
        if not self.fault_rate or (self.fault_methods is not None and method not in self.fault_methods):
            return
        if self._faults is None:
            self._faults = random.Random(self.fault_seed)
        if self._faults.random() < self.fault_rate:
            raise ApiError(502, "Bad Gateway")

    async def _unknown_path(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, {"_status": 404}))
        return web.Response(status=404, text=f"Cannot {request.method} {request.path}")

    def _validate(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        spec = SPEC["methods"].get(method)
        if spec is None:
            raise ApiError(404, "Not Found")
        known = {f["name"]: f for f in spec.get("fields", [])}
        for name, f in known.items():
            if f["required"] and name not in params:
                raise ApiError(400, f'Bad Request: parameter "{name}" is required')
            if name in params:
                params[name] = _coerce(params[name], f["types"], name)
        return params

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            rows = markup.get("inline_keyboard", [])
            # Telegram refuses an inline keyboard of more than 100 buttons or more than 8 in a row
            if sum(len(row) for row in rows) > 100 or any(len(row) > 8 for row in rows):
                raise ApiError(400, "Bad Request: reply markup is too long")
            for row in rows:
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode()) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _check_text(self, text: str, params: dict[str, Any], limit: int = 4096) -> str:
        """The visible text; ApiError if Telegram would refuse it."""
        visible = check_html(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > limit:  # Telegram counts UTF-16 units
            raise ApiError(400, "Bad Request: message is too long")
        return visible

    def _check_delivery(self, params: dict[str, Any]) -> int:
        self._attempts += 1
        if self.fail_every and self._attempts % self.fail_every == 0:
            raise ApiError(502, "Bad Gateway")
        if self.server_errors:
            status = self.server_errors.popleft()
            raise ApiError(status, "Internal Server Error" if status == 500 else "Bad Gateway")
        if self.flood:
            raise ApiError(429, "Too Many Requests: retry after", {"retry_after": self.flood.popleft()})
        if self.rate_limit:
            now = time.monotonic()
            while self._sent_times and now - self._sent_times[0] >= 1.0:
                self._sent_times.popleft()
            if len(self._sent_times) >= self.rate_limit:
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._sent_times.append(now)
        chat_id = int(params["chat_id"])
        channel = self.channels.get(chat_id)
        if channel is not None and channel.bot_role == "left":
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        if channel is not None and not (channel.bot_role == "administrator" and channel.bot_can_post):
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        return chat_id

    def _check_file(self, value: Any, kind: str) -> None:
        """An uploaded file, an HTTP URL, or the file_id of a file of the same kind Telegram knows."""
        if not isinstance(value, str) or value.startswith(("http://", "https://")):
            return
        if value not in self.files:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if self.files[value] != kind:
            raise ApiError(
                400, f"Bad Request: type of file mismatch: can't use file of type {self.files[value]} as {kind}"
            )

    def _channel(self, chat_id: int | str) -> FakeChannel:
        """A channel the bot is in, by id or ``@username``; else Telegram's "chat not found"."""
        for channel in self.channels.values():
            named = isinstance(chat_id, str) and chat_id.startswith("@")
            if (chat_id.lower() == f"@{channel.username}".lower() if named else int(chat_id) == channel.id) and (
                channel.bot_role != "left"
            ):
                return channel
        raise ApiError(400, "Bad Request: chat not found")

    def _check_scope(self, scope: Any) -> tuple[str, int | None]:
        """A BotCommandScope as the API defines it (type and required fields); the chat must be known."""
        if scope is None:
            return ("default", None)
        kinds = {}
        for name in SPEC["types"]["BotCommandScope"]["subtypes"]:
            fields = SPEC["types"][name]["fields"]
            kinds[fields[0]["description"].rsplit(" ", 1)[-1]] = [f["name"] for f in fields if f["required"]]
        if not isinstance(scope, dict) or scope.get("type") not in kinds:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        missing = [name for name in kinds[scope["type"]] if name not in scope]
        if missing:
            raise ApiError(400, f'Bad Request: field "{missing[0]}" must be specified in the scope')
        chat_id = scope.get("chat_id")
        if chat_id is not None and int(chat_id) in self.unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return (scope["type"], None if chat_id is None else int(chat_id))

    def _message(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": BOT,
            "chat": self._chat(chat_id, chat_id),
            **extra,
        }

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        params = self._validate(method, params)
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            offset = int(params.get("offset", 0) or 0)
            timeout = min(float(params.get("timeout", 0) or 0), 0.5)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending and timeout:
                self._new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), timeout)
                pending = [u for u in self.updates if u["update_id"] >= offset]
            self.updates = pending
            return pending
        if method in ("setMyCommands",):
            scope = self._check_scope(params.get("scope"))
            for command in params["commands"]:
                if not (
                    1 <= len(command["command"]) <= 32
                    and command["command"].islower()
                    and 1 <= len(command["description"]) <= 256
                ):
                    raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            self.menus[(*scope, params.get("language_code") or "")] = [c["command"] for c in params["commands"]]
            return True
        if method in ("setWebhook",):
            self.webhook_url = params["url"]
            return True
        if method in ("deleteWebhook", "answerCallbackQuery", "close", "logOut"):
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("sendMessage", "editMessageText") and self.refuse:
            raise ApiError(400, f"Bad Request: {self.refuse.popleft()}")
        if method == "sendMessage":
            visible = self._check_text(params["text"], params)
            self._check_markup(params)
            chat_id = self._check_delivery(params)
            message = self._message(chat_id, text=visible)
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            self.messages[(chat_id, message["message_id"])] = (params["text"], _markup_key(params))
            self.last_messages[chat_id] = message
            return message
        if method == "editMessageText":
            self._check_text(params["text"], params)
            self._check_markup(params)
            chat_id = int(params.get("chat_id", 0) or 0)
            key = (chat_id, int(params.get("message_id", 0) or 0))
            if self.messages.get(key) == (params["text"], _markup_key(params)):
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            if key in self.messages:
                self.messages[key] = (params["text"], _markup_key(params))
            return self._message(chat_id, text=params["text"], message_id=key[1]) if chat_id else True
        if method in ("sendDocument", "sendPhoto"):
            kind = "document" if method == "sendDocument" else "photo"
            self._check_file(params[kind], kind)
            extra: dict[str, Any] = {}
            if params.get("caption"):
                extra["caption"] = self._check_text(params["caption"], params, limit=1024)
            self._check_markup(params)
            chat_id = self._check_delivery(params)
            if isinstance(params.get("reply_markup"), dict):
                extra["reply_markup"] = params["reply_markup"]
            if kind == "photo":
                size = spec_object(
                    "PhotoSize", file_id=str(params["photo"]), file_unique_id="u2", width=1280, height=960
                )
                return self._message(chat_id, photo=[size], **extra)
            document = {"file_id": "f1", "file_unique_id": "u1", "file_name": "agenda.ics"}
            return self._message(chat_id, document=document, **extra)
        if method == "sendVenue":
            if not (-90 <= float(params["latitude"]) <= 90 and -180 <= float(params["longitude"]) <= 180):
                raise ApiError(400, "Bad Request: wrong latitude or longitude")
            if not str(params["title"]).strip() or not str(params["address"]).strip():
                raise ApiError(400, "Bad Request: venue title and address must be non-empty")
            chat_id = self._check_delivery(params)
            location = {"latitude": params["latitude"], "longitude": params["longitude"]}
            venue = {"location": location, "title": params["title"], "address": params["address"]}
            return self._message(chat_id, venue=venue, location=location)
        if method in ("getChat", "getChatMember"):
            channel = self._channel(params["chat_id"])
            if method == "getChatMember":
                return channel.member(int(params["user_id"]))
            return spec_object("ChatFullInfo", **channel.chat(), accent_color_id=0, max_reaction_count=11)
        if method == "answerInlineQuery":
            results = params["results"]
            if len(results) > 50:
                raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
            for result in results:
                content = result.get("input_message_content", {})
                self._check_text(content.get("message_text", ""), content)
                self._check_markup(result)
            return True
        if method == "sendPoll":
            return self._send_poll(params)
        if method == "stopPoll":
            key = (int(params["chat_id"]), int(params["message_id"]))
            found = self.poll_messages.get(key)
            if found is None:
                raise ApiError(400, "Bad Request: message to stop poll not found")
            if found["is_closed"]:
                raise ApiError(400, "Bad Request: poll has already been closed")
            found["is_closed"] = True
            return found
        raise ApiError(400, f"Bad Request: method {method} is not implemented by the fake")

    def _send_poll(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPoll with the Bot API's rules (https://core.telegram.org/bots/api#sendpoll): a question of
        1-300 characters, 1-12 options of 1-100, no non-anonymous poll in a channel, close_date 5 to
        2628000 seconds ahead and not with open_period."""
        question = str(params["question"])
        if not 1 <= len(question) <= 300:
            raise ApiError(400, "Bad Request: POLL_QUESTION_INVALID")
        options = [o["text"] if isinstance(o, dict) else str(o) for o in params["options"]]
        if not 1 <= len(options) <= 12:
            raise ApiError(400, "Bad Request: poll must have 1-12 options")
        if any(not 1 <= len(o) <= 100 for o in options):
            raise ApiError(400, "Bad Request: POLL_OPTION_INVALID")
        anonymous = params.get("is_anonymous", True) not in (False, "false", "False")
        chat_id = int(params["chat_id"])
        if not anonymous and chat_id in self.channels:
            raise ApiError(400, "Bad Request: POLL_ANONYMOUS_REQUIRED")
        if params.get("close_date") is not None:
            if params.get("open_period") is not None:
                raise ApiError(400, "Bad Request: can't use open_period and close_date together")
            ahead = int(params["close_date"]) - time.time()
            if not 5 <= ahead <= 2628000:
                raise ApiError(400, "Bad Request: close_date is out of range")
        chat_id = self._check_delivery(params)
        poll_id = str(5000000000000000000 + next(self._ids))
        poll = spec_object(
            "Poll",
            id=poll_id,
            question=question,
            options=[
                spec_object("PollOption", persistent_id=str(i), text=text, voter_count=0)
                for i, text in enumerate(options)
            ],
            is_anonymous=anonymous,
            type="regular",
            close_date=int(params["close_date"]) if params.get("close_date") is not None else None,
        )
        self.polls[poll_id] = poll
        message = self._message(chat_id, poll=poll)
        self.poll_messages[(chat_id, message["message_id"])] = poll
        return message


async def _calls_kept_out_of_collections(every: float = 1.0) -> None:
    """Every second, move what this process holds (each call recorded) out of the garbage collector's
    full passes. Standing in for Telegram's servers in the benches, the fake must not pause: a full
    collection walking thousands of recorded calls took 40-60 ms, which showed as the bot's latency.
    Garbage in cycles frozen with the rest is kept: fine for a bench's minutes or a chat session."""
    while True:
        await asyncio.sleep(every)
        gc.freeze()


async def _serve_forever(port: int, rate_limit: float | None = None, fail_every: int = 0) -> None:
    """Run standalone (benchmarks start it in its own process; a person can talk to a polling bot
    through it): GET /_stats counts calls, GET /_sends lists every sendMessage attempt as [chat_id,
    ok, status, monotonic time, text], POST /_say {"user": 42, "text": "/agenda"} writes to the bot."""
    fake = FakeTelegram(rate_limit=rate_limit, fail_every=fail_every)
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake._handle)
    app.router.add_get("/bot{token}/{method}", fake._handle)

    async def stats(_: web.Request) -> web.Response:
        counts: dict[str, int] = {}
        for method, params in fake.calls:
            key = method if params.get("_ok") else f"{method}:error"
            counts[key] = counts.get(key, 0) + 1
        return web.json_response(counts)

    async def sends(_: web.Request) -> web.Response:
        rows = [
            [str(p.get("chat_id")), bool(p.get("_ok")), p.get("_status"), p.get("_t"), str(p.get("text", ""))]
            for method, p in fake.calls
            if method == "sendMessage"
        ]
        return web.json_response(rows)

    async def say(request: web.Request) -> web.Response:
        """A person writes to the bot: ``{"user": 42, "text": "/agenda"}`` is queued for getUpdates."""
        body = await request.json()
        update = fake.push(
            fake.message_update(int(body.get("user", 42)), str(body["text"]), lang=body.get("lang", "en"))
        )
        return web.json_response({"update_id": update["update_id"]})

    app.router.add_get("/_stats", stats)
    app.router.add_get("/_sends", sends)
    app.router.add_post("/_say", say)
    await serve_on_loopback(app, port)
    await _calls_kept_out_of_collections()


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(description="The fake Bot API on 127.0.0.1:<port>.")
    cli.add_argument("port", type=int)
    cli.add_argument("--rate-limit", type=float, default=None, help="enforce N msg/s with real 429s")
    cli.add_argument("--fail-every", type=int, default=0, help="answer every Nth delivery attempt with 502")
    args = cli.parse_args()
    asyncio.run(_serve_forever(args.port, args.rate_limit, args.fail_every))
