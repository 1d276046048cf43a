"""A small driver over each platform's fake, so that a scenario written once runs on Telegram, Slack
and WeChat.

Each drives the real adapter end to end: Telegram updates go through python-telegram-bot's webhook
(``Application.process_update``) against the fake Bot API; Slack requests are signed and go through
Bolt against the fake Web API; WeChat's signed XML pushes reach the adapter served by uvicorn, from
the fake WeChat (its passive replies, customer-service messages and windows). A scenario names people
("alice", "organizer") and chats ("desk"); the driver maps them to each platform's ids and reads what
the bot sent as plain text and button actions. What a platform does not have (WeChat: group chats,
toasts, a refusal of the passive reply) skips the scenario there, saying so (:func:`lacks`).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from telegram import Bot

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from adapters.slack.sender import SlackSender
from adapters.telegram import TelegramAdapter
from adapters.telegram.sender import TelegramSender
from adapters.wechat.adapter import WeChatAdapter
from adapters.wechat.render import inert
from bot.chat.choices import button_key, button_number
from bot.chat.messages import Address
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.settings import Settings
from bot.storage.models import ChatChoices, User
from tests.adapters.slack.helpers import text_of
from tests.adapters.slack.test_e2e import FORM, SECRET, _action_payload, event, signed, slash
from tests.adapters.telegram.conftest import telegram_settings
from tests.adapters.wechat.conftest import serve, wechat_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, mrkdwn_problem
from tests.fakes.telegram_server import FakeTelegram, check_html
from tests.fakes.wechat_api import TEXT_LIMIT, FakeWeChat

PLATFORMS = ["telegram", "slack", "wechat"]
WEBHOOK_SECRET = "s3cret"
_TAG = re.compile(r"<[^>]+>")
_SLACK_LINK = re.compile(r"<([^|>]+)\|([^>]*)>|<([^|>]+)>")
_SLACK_MARK = re.compile(r"(?<!\w)[*_`]|[*_`](?!\w)")


def lacks(platform: str, what: str) -> None:
    """Skip the scenario here: ``platform`` has no ``what`` (so the story can't be told on it)."""
    pytest.skip(f"{platform} has no {what}")


def plain_html(text: str) -> str:
    """Telegram HTML as a reader sees it."""
    return html.unescape(_TAG.sub("", text))


def plain_mrkdwn(text: str) -> str:
    """Slack mrkdwn as a reader sees it (links show their label)."""
    text = _SLACK_LINK.sub(lambda m: m.group(2) if m.group(1) else m.group(3), text)
    return html.unescape(_SLACK_MARK.sub("", text))


@dataclass
class Seen:
    """One message the bot showed: its plain text, its buttons, and the platform call it came in."""

    text: str
    raw: str  # as sent: Telegram HTML or Slack mrkdwn (both escape &, < and > the same way)
    actions: list[str]
    labels: list[str]
    notice: str = ""  # Telegram's toast on a pressed button
    call: dict[str, Any] = field(default_factory=dict)
    extras: list[dict[str, Any]] = field(default_factory=list)  # files and map pins sent with it (Telegram)

    def says(self, words: str) -> bool:
        """Whether the message or its toast says ``words``."""
        return words in self.text or words in self.notice


class Platform(Protocol):
    """What the scenarios need of a platform."""

    name: str
    core: Core

    def who(self, person: str) -> str:
        """The person's address as audit lines and organizer lists write it (``telegram:1001``)."""
        ...

    def chat(self, person_or_place: str) -> str:
        """The chat a person's DMs (or a named group / channel) are in, as ``<platform>:<chat id>``."""
        ...

    def make_organizer(self, person: str, *, listed: bool = False) -> None:
        """Make ``person`` an organizer (``listed``: also in CONFBOT_ORGANIZERS)."""
        ...

    async def send(self, person: str, text: str, *, lang: str = "en", where: str | None = None) -> Seen:
        """``person`` writes ``text`` (a ``/command`` or plain text) in their DM or in ``where``; the reply."""
        ...

    async def press(self, person: str, action: str, *, where: str | None = None) -> Seen:
        """``person`` presses the button carrying ``action`` on the bot's last message; what they see."""
        ...

    def posts(self, person_or_place: str) -> list[Seen]:
        """What the bot posted into a chat on its own (pushes, not replies), oldest first."""
        ...

    async def wait_posts(self, person_or_place: str, count: int, timeout: float = 10.0) -> list[Seen]:
        """The bot's posts into a chat, once there are at least ``count``."""
        ...

    def well_formed(self, seen: Seen) -> bool:
        """Whether the platform renders the message's markup as meant."""
        ...

    def escaped(self, text: str) -> str:
        """``text`` as it stands in a message's raw form (HTML or mrkdwn escape &, < and >; WeChat's
        text escapes nothing, but no text of others opens a link there)."""
        ...

    def refuse_next(self, count: int = 1) -> None:
        """The platform refuses the bot's next ``count`` messages for their content (a 400 /
        ``invalid_blocks``), whatever they hold."""
        ...

    async def runtime(self, *, other_platform: bool = False) -> Runtime:
        """A started push runtime (stopped at the end); ``other_platform`` also sends on the other fake."""
        ...

    def other(self, name: str) -> Address:
        """Someone on the other platform (written through the core)."""
        ...

    def delivered(self, text: str) -> set[str]:
        """Every chat (``<platform>:<chat id>``, both fakes) the bot pushed exactly ``text`` to."""
        ...


class _Base:
    name = ""

    def __init__(self, core: Core, stack: AsyncExitStack) -> None:
        self.core = core
        self.stack = stack
        self._replies: set[int] = set()  # id() of the calls returned as replies
        self._other_slack: FakeSlack | None = None
        self._other_telegram: FakeTelegram | None = None

    def _uid(self, person: str) -> str:
        raise NotImplementedError

    def _chat_id(self, person_or_place: str) -> str:
        raise NotImplementedError

    def who(self, person: str) -> str:
        return f"{self.name}:{self._uid(person)}"

    def chat(self, person_or_place: str) -> str:
        return f"{self.name}:{self._chat_id(person_or_place)}"

    def make_organizer(self, person: str, *, listed: bool = False) -> None:
        self.core.add_organizer(Address(self.name, self._uid(person), self._chat_id(person)))
        if listed:
            self.core.settings.organizers.append(self.who(person))

    def _sender(self) -> Any:
        raise NotImplementedError

    async def runtime(self, *, other_platform: bool = False) -> Runtime:
        senders = {self.name: self._sender()}
        if other_platform and self.name == "telegram":
            slack = self._other_slack = FakeSlack()
            await slack.start()
            self.stack.push_async_callback(slack.stop)
            senders["slack"] = SlackSender(AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[]))
        elif other_platform:
            telegram = self._other_telegram = FakeTelegram()
            await telegram.start()
            self.stack.push_async_callback(telegram.stop)
            bot = Bot(telegram.token, base_url=telegram.base_url)
            await bot.initialize()
            self.stack.push_async_callback(bot.shutdown)
            senders["telegram"] = TelegramSender(bot, 1000)
        runtime = Runtime(self.core, senders, periodic=False)
        await runtime.start()
        self.stack.push_async_callback(runtime.stop)
        return runtime

    def other(self, name: str) -> Address:
        if self.name == "telegram":
            uid = "U" + name.upper()
            return Address("slack", uid, "D" + uid[1:])
        uid = str(5000 + sum(map(ord, name)))
        return Address("telegram", uid, uid)

    def _other_delivered(self, text: str) -> set[str]:
        got = set()
        if self._other_slack is not None:
            for m in self._other_slack.sent("chat.postMessage"):
                if plain_mrkdwn(text_of(m)) == text:
                    got.add(f"slack:{m['channel']}")
        if self._other_telegram is not None:
            for p in self._other_telegram.sent("sendMessage"):
                if plain_html(p["text"]) == text:
                    got.add(f"telegram:{p['chat_id']}")
        return got

    def _all_posts(self) -> list[tuple[str, Seen]]:
        raise NotImplementedError

    def posts(self, person_or_place: str) -> list[Seen]:
        chat = self._chat_id(person_or_place)
        return [seen for where, seen in self._all_posts() if where == chat]

    async def wait_posts(self, person_or_place: str, count: int, timeout: float = 10.0) -> list[Seen]:
        deadline = time.monotonic() + timeout
        while len(self.posts(person_or_place)) < count:
            assert time.monotonic() < deadline, f"{len(self.posts(person_or_place))}/{count} posts"
            await asyncio.sleep(0.01)
        return self.posts(person_or_place)

    def escaped(self, text: str) -> str:
        return html.escape(text, quote=False)

    def delivered(self, text: str) -> set[str]:
        own = {f"{self.name}:{where}" for where, seen in self._all_posts() if seen.text == text}
        return own | self._other_delivered(text)


def _keyboard(call: dict[str, Any]) -> list[dict[str, Any]]:
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def _telegram_seen(call: dict[str, Any], notice: str = "") -> Seen:
    raw = call.get("text") or call.get("caption") or ""
    buttons = _keyboard(call)
    return Seen(
        plain_html(raw),
        raw,
        [b.get("callback_data", "") for b in buttons],
        [b.get("text", "") for b in buttons],
        notice,
        call,
    )


_TELEGRAM_LANG = {"en": "en", "zh": "zh-hans"}
_SHOWN = ("sendMessage", "sendPhoto", "sendDocument", "sendVenue")


class TelegramPlatform(_Base):
    """Updates through PTB's webhook (processed inline, so the replies are there when the POST returns)."""

    name = "telegram"

    def __init__(self, core: Core, stack: AsyncExitStack, fake: FakeTelegram) -> None:
        super().__init__(core, stack)
        self.fake = fake
        self._ids: dict[str, int] = {}

    async def start(self) -> None:
        settings = telegram_settings(
            self.fake, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET
        )
        self.adapter = TelegramAdapter(settings, self.core)
        await self.adapter.start()
        self.stack.push_async_callback(self.adapter.stop)
        transport = httpx.ASGITransport(app=build_asgi(self.adapter.routes()))
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://bot")
        )

    def _uid(self, person: str) -> str:
        return str(self._ids.setdefault(person, 1001 + len(self._ids)))

    def _chat_id(self, person_or_place: str) -> str:
        if person_or_place.startswith("#"):  # a group
            return str(-100_700 - sum(map(ord, person_or_place)))
        return self._uid(person_or_place)

    def _sender(self) -> Any:
        return self.adapter.sender()

    async def _post(self, update: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
        """Post ``update`` to the webhook; the successful calls made while it was processed."""
        before = len(self.fake.calls)
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        response = await self.client.post("/telegram/webhook", json=update, headers=headers)
        assert response.status_code == 200, response.text
        return [(i, m, p) for i, (m, p) in enumerate(self.fake.calls[before:], before) if p.get("_ok")]

    async def send(self, person: str, text: str, *, lang: str = "en", where: str | None = None) -> Seen:
        chat = self._chat_id(where or person)
        update = self.fake.message_update(
            int(self._uid(person)), text, lang=_TELEGRAM_LANG[lang], chat_id=int(chat) if where else None
        )
        return self._reply(await self._post(update), chat, ("sendMessage",))

    async def press(self, person: str, action: str, *, where: str | None = None) -> Seen:
        chat = self._chat_id(where or person)
        message = self.fake.last_messages.get(int(chat)) or {
            "message_id": 1,
            "date": 0,
            "chat": {"id": int(chat), "type": "private"},
            "text": "shown",
        }
        update = self.fake.callback_update(int(self._uid(person)), action, message, lang="en")
        calls = await self._post(update)
        toasts = [p.get("text") or "" for _, m, p in calls if m == "answerCallbackQuery"]
        return self._reply(calls, chat, ("editMessageText", "sendMessage"), toasts[0] if toasts else "")

    def _reply(
        self, calls: list[tuple[int, str, dict[str, Any]]], chat: str, prefer: tuple[str, ...], notice: str = ""
    ) -> Seen:
        """The reply among the calls made while an update was processed (a push may interleave: the
        first message of the preferred kind in the chat is the reply; files and pins come with it)."""
        in_chat = [(i, m, p) for i, m, p in calls if str(p.get("chat_id")) == chat]
        chosen = next(((i, p) for kind in prefer for i, m, p in in_chat if m == kind), None)
        extras = [(i, p) for i, m, p in in_chat if m in _SHOWN[1:]]
        self._replies.update(i for i, _ in ([chosen] if chosen else []) + extras)
        seen = _telegram_seen(chosen[1], notice) if chosen is not None else Seen("", "", [], [], notice)
        seen.extras = [p for _, p in extras]
        return seen

    def _all_posts(self) -> list[tuple[str, Seen]]:
        return [
            (str(p.get("chat_id")), _telegram_seen(p))
            for i, (m, p) in enumerate(self.fake.calls)
            if m in _SHOWN and p.get("_ok") and i not in self._replies
        ]

    def well_formed(self, seen: Seen) -> bool:
        check_html(seen.raw)  # raises on what Telegram would refuse
        return True

    def refuse_next(self, count: int = 1) -> None:
        self.fake.refuse.extend(["message is too long"] * count)


def _slack_seen(call: dict[str, Any]) -> Seen:
    raw = text_of(call)
    buttons = [e for b in call.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]
    return Seen(
        plain_mrkdwn(raw),
        raw,
        [e.get("value") or (e.get("selected_option") or {}).get("value", "") for e in buttons],
        [(e.get("text") or {}).get("text", "") for e in buttons],
        "",
        call,
    )


_SLACK_LOCALE = {"en": "en-US", "zh": "zh-CN"}


class SlackPlatform(_Base):
    """Signed requests through Bolt: slash commands (answered at their response_url), DM events and
    button presses, against the fake Web API."""

    name = "slack"

    def __init__(self, core: Core, stack: AsyncExitStack, fake: FakeSlack) -> None:
        super().__init__(core, stack)
        self.fake = fake

    async def start(self) -> None:
        settings = Settings(
            _env_file=None,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
            SLACK_API_URL=self.fake.api_url,
        )
        self.adapter = SlackAdapter(settings, self.core)
        transport = httpx.ASGITransport(app=build_asgi(self.adapter.routes()))
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://bot")
        )

    def _uid(self, person: str) -> str:
        return "U" + person.upper()

    def _chat_id(self, person_or_place: str) -> str:
        if person_or_place.startswith("#"):  # a channel
            return "C" + person_or_place[1:].upper()
        return "D" + person_or_place.upper()

    def _sender(self) -> Any:
        return self.adapter.sender()

    async def _signed(self, body: str, content_type: str) -> None:
        response = await self.client.post(
            "/slack/events", content=body, headers=signed(body, content_type=content_type)
        )
        assert response.status_code == 200, response.text

    async def _answer(self, body: str) -> Seen:
        before = len(self.fake.sent("response"))
        await self._signed(body, FORM)
        return _slack_seen((await self.fake.wait_for("response", before + 1))[before])

    async def send(self, person: str, text: str, *, lang: str = "en", where: str | None = None) -> Seen:
        uid = self._uid(person)
        self.fake.locales[uid] = _SLACK_LOCALE[lang]
        chat = self._chat_id(where or person)
        if text.startswith("/"):  # a command: /conf <command> (answered ephemerally at the response_url)
            return await self._answer(slash(self.fake, uid, text[1:], channel=chat))
        assert where is None, "plain text is written in a DM here"  # in a channel it is chatter
        before = len(self._messages(chat))
        await self._signed(event(uid, text), "application/json")  # a DM: answered there by chat.postMessage
        deadline = time.monotonic() + 10
        while len(self._messages(chat)) <= before:
            assert time.monotonic() < deadline, f"no answer to {text!r}"
            await asyncio.sleep(0.01)
        call = self._messages(chat)[before]
        self._replies.add(id(call))
        return _slack_seen(call)

    async def press(self, person: str, action: str, *, where: str | None = None) -> Seen:
        payload = _action_payload(self.fake, self._uid(person), action)
        chat = self._chat_id(where or person)
        payload["channel"] = {"id": chat, "name": "somewhere"}
        payload["container"]["channel_id"] = chat
        return await self._answer(urlencode({"payload": json.dumps(payload)}))

    def _messages(self, chat: str) -> list[dict[str, Any]]:
        return [p for p in self.fake.sent("chat.postMessage") if p["channel"] == chat]

    def _all_posts(self) -> list[tuple[str, Seen]]:
        return [
            (p["channel"], _slack_seen(p)) for p in self.fake.sent("chat.postMessage") if id(p) not in self._replies
        ]

    def well_formed(self, seen: Seen) -> bool:
        return mrkdwn_problem(seen.raw) is None

    def refuse_next(self, count: int = 1) -> None:
        self.fake.refuse.extend(["invalid_blocks"] * count)


_LETTER = re.compile(r"\[([a-z]{1,3})\] ([^\[\n]*)")
_WECHAT_LINK = re.compile(r'<a href="[^"]*">([^<]*)</a>')


class _PushSender:
    """The adapter's sender as the push runtime uses it, noting which of the fake's texts were pushes
    (the adapter sends the rest of a long answer through the same sender, unnoted)."""

    def __init__(self, inner: Any, fake: FakeWeChat, pushed: set[int]) -> None:
        self._inner, self._fake, self._pushed = inner, fake, pushed
        self.sending = 0  # pushes on their way now

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def send(self, address: Address, reply: Any) -> Any:
        before, self.sending = len(self._fake.sent), self.sending + 1
        try:
            return await self._inner.send(address, reply)
        finally:
            sent, self.sending = self._fake.sent, self.sending - 1
            self._pushed.update(i for i in range(before, len(sent)) if sent[i][0] == address.chat_id)


class WeChatPlatform(_Base):
    """Signed XML pushes from the fake WeChat to the adapter served on loopback: each answer is the
    passive reply (the rest follows as customer-service messages); buttons are letters to type."""

    name = "wechat"

    def __init__(self, core: Core, stack: AsyncExitStack, fake: FakeWeChat) -> None:
        super().__init__(core, stack)
        self.fake = fake
        self._pushed: set[int] = set()  # indexes into fake.sent of the push runtime's messages
        self._pushes: _PushSender | None = None

    async def start(self) -> None:
        self.adapter = WeChatAdapter(wechat_settings(self.fake), self.core)
        served = await serve(self.adapter)
        self.stack.push_async_callback(served.stop)
        self.fake.server_url = served.url

    def _uid(self, person: str) -> str:
        return "o" + person.upper()

    def _chat_id(self, person_or_place: str) -> str:
        if person_or_place.startswith("#"):
            lacks(self.name, "group chats")
        return self._uid(person_or_place)

    def _sender(self) -> Any:
        self._pushes = _PushSender(self.adapter.sender(), self.fake, self._pushed)
        return self._pushes

    def _actions(self, uid: str) -> list[str]:
        with self.core.db.session() as session:
            row = session.scalar(
                select(ChatChoices).where(ChatChoices.platform == self.name, ChatChoices.user_id == uid)
            )
            return list(row.actions) if row is not None else []

    def _seen(self, uid: str, parts: list[str]) -> Seen:
        """What the person sees: the text without its letter lines (as the other platforms' text leaves
        out their buttons), the buttons' actions and labels, every part as sent (``call["parts"]``)."""
        raw, known = "\n".join(parts), self._actions(uid)
        actions, labels = [], []
        for key, label in _LETTER.findall(raw):
            n = button_number(key)
            if n is not None and n <= len(known):
                actions.append(known[n - 1])
                labels.append(label.strip())
        hints = {t(lang, "wechat.type_letter") for lang in LANGUAGES}
        lines = [line for line in raw.split("\n") if _LETTER.sub("", line).strip() or not line.strip()]
        text = "\n".join(line for line in lines if line not in hints).strip()
        return Seen(
            html.unescape(_WECHAT_LINK.sub(lambda m: m.group(1), text)), raw, actions, labels, call={"parts": parts}
        )

    def _language(self, uid: str) -> str:
        with self.core.db.session() as session:
            found = session.scalar(
                select(User.language).where(User.platform == self.name, User.platform_user_id == uid)
            )
        return found or DEFAULT_LANGUAGE

    async def _says(self, person: str, text: str) -> Seen:
        uid = self._uid(person)
        before = len(self.fake.sent)
        answer = await self.fake.user_says(uid, text)
        assert not answer.user_sees_error, answer.problem
        await asyncio.sleep(0)  # the rest of the answer starts once the passive reply went out
        await self.adapter.sent_all()
        while self._pushes is not None and self._pushes.sending:  # a push going out meanwhile is no answer
            await asyncio.sleep(0.01)
        sent = self.fake.sent
        rest = [i for i in range(before, len(sent)) if sent[i][0] == uid and i not in self._pushed]
        return self._seen(uid, ([answer.content] if answer.content else []) + [self.fake.sent[i][1] for i in rest])

    async def send(self, person: str, text: str, *, lang: str = "en", where: str | None = None) -> Seen:
        if where is not None:
            lacks(self.name, "group chats")
        if self._language(self._uid(person)) != lang:  # WeChat tells no language: chosen with /lang
            await self._says(person, f"/lang {lang}")
        return await self._says(person, text)

    async def press(self, person: str, action: str, *, where: str | None = None) -> Seen:
        """Type the letter the last answer gave ``action``; an action no letter shows is typed as its
        command (``/sub 2``), as a reader would."""
        if where is not None:
            lacks(self.name, "group chats")
        known = self._actions(self._uid(person))
        if action in known:
            return await self._says(person, button_key(len(known) - known[::-1].index(action)))
        return await self._says(person, f"/{action}")

    def _all_posts(self) -> list[tuple[str, Seen]]:
        return [(uid, self._seen(uid, [text])) for i, (uid, text) in enumerate(self.fake.sent) if i in self._pushed]

    def well_formed(self, seen: Seen) -> bool:
        return all(0 < len(part.encode()) <= TEXT_LIMIT for part in seen.call.get("parts", [seen.raw]))

    def escaped(self, text: str) -> str:
        return inert(text)

    def refuse_next(self, count: int = 1) -> None:
        lacks(self.name, "refusal of a passive reply (WeChat shows its own error page)")


async def platform_for(name: str, core: Core) -> AsyncIterator[Platform]:
    """The driver for ``name`` over its started fake; everything stopped after."""
    async with AsyncExitStack() as stack:
        driver: TelegramPlatform | SlackPlatform | WeChatPlatform
        if name == "wechat":
            wechat = FakeWeChat(now=lambda: core.clock.now().timestamp())
            await wechat.start()
            stack.push_async_callback(wechat.stop)
            driver = WeChatPlatform(core, stack, wechat)
        elif name == "telegram":
            telegram = FakeTelegram()
            await telegram.start()
            stack.push_async_callback(telegram.stop)
            driver = TelegramPlatform(core, stack, telegram)
        else:
            slack = FakeSlack()
            await slack.start()
            stack.push_async_callback(slack.stop)
            driver = SlackPlatform(core, stack, slack)
        await driver.start()
        yield driver
