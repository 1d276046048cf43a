"""The WeChat adapter: a service account's messages at ``/wechat``, answered by the core.

WeChat posts each message or menu tap to the server as signed XML (encrypted in safe mode) and
waits 5 seconds for the answer, which is one passive reply. The core's first answer goes back that
way; anything more (a long answer's next part, a second reply, an answer that took longer than
:data:`PASSIVE_BUDGET`) follows as customer-service messages within the person's window. A request
WeChat repeats (same ``MsgId``, or same sender and time for an event) has no second effect.
Docs: developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html,
…/Passive_user_reply_message.html, …/Basic_Information/Access_Overview.html
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from starlette.background import BackgroundTask
from starlette.requests import Request as HttpRequest
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.startup import ConfigurationError, StartupError, StartupRetry
from adapters.tarpit import Tarpit
from adapters.wechat import menu, protocol
from adapters.wechat.api import ApiError, WeChatApi
from adapters.wechat.one_time import OneTime
from adapters.wechat.render import messages, render
from adapters.wechat.sender import PLATFORM, WeChatSender
from bot.chat import push_notes
from bot.chat.messages import Address, Reply, Request
from bot.core import Core
from bot.delivery.sender import SendResult
from bot.i18n import DEFAULT_LANGUAGE, t
from bot.ops import logcontext
from bot.ops.metrics import REPLIES_FAILED
from bot.platforms import Window, unavailable
from bot.settings import Settings

log = logging.getLogger(__name__)
PATH = "/wechat"
PASSIVE_BUDGET = 4.0  # seconds the core may take for the passive reply (WeChat waits 5)
FRESH = 300  # seconds a signed request stays acceptable (the dedupe keeps keys twice as long)
SUCCESS = "success"  # "no passive reply", as WeChat asks for it


# what an interaction lets the account send (developers.weixin.qq.com/doc/offiaccount/
# Message_Management/Service_Center_messages.html: 客服消息下发规则)
AFTER_MESSAGE = Window("message", timedelta(hours=48), 5)  # the person sent a message
AFTER_EVENT = Window("event", timedelta(minutes=1), 3)  # a menu tap, a follow, a QR scan
OPENS = {"subscribe": AFTER_EVENT, "click": AFTER_EVENT, "scan": AFTER_EVENT}  # events that open a window
PUSH_NOTE = "wechat.reminder_window"


@dataclass(frozen=True)
class Plan:
    """What one message gets: the passive reply's text (None: ``success``), then what follows as
    customer-service messages, in order."""

    passive: str | None = None
    parts: tuple[str, ...] = ()  # the rest of the first reply's text
    replies: tuple[Reply, ...] = ()  # the core's further replies
    lang: str = DEFAULT_LANGUAGE


Later = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    """What one inbound message asks the core: a command or text, a pressed letter's action, or nothing."""

    text: str = ""
    action: str | None = None
    answer: str | None = None  # a fixed answer (catalog key) instead of asking the core


class WeChatAdapter:
    """A service account in developer mode: the verification GET and the message POSTs at ``/wechat``."""

    name = PLATFORM

    def __init__(self, settings: Settings, core: Core, retry: StartupRetry | None = None) -> None:
        assert settings.wechat_app_id
        if not (settings.wechat_app_secret and settings.wechat_token):
            raise ConfigurationError("WECHAT_APP_ID needs WECHAT_APP_SECRET and WECHAT_TOKEN (docs/wechat.md)")
        self.settings = settings
        self.core = core
        self.retry = retry or StartupRetry()
        self.app_id = settings.wechat_app_id
        self._token = settings.wechat_token
        try:
            aes = settings.wechat_aes_key
            self.safe = protocol.SafeMode(self._token, aes, self.app_id) if aes else None
        except ValueError as err:
            raise ConfigurationError(str(err)) from None
        state = core.platform_state
        self.api = WeChatApi(settings.wechat_api_url, self.app_id, settings.wechat_app_secret, state)
        self.one_time = None
        if settings.wechat_subscribe_template and settings.public_url:
            self.one_time = OneTime(
                self.api,
                state,
                settings.wechat_app_secret,
                settings.wechat_subscribe_template,
                settings.public_url,
                web=settings.web,
            )
        elif settings.wechat_subscribe_template:
            log.warning("WECHAT_SUBSCRIBE_TEMPLATE needs CONFBOT_PUBLIC_URL (WeChat returns there): not used")
        self._sender = WeChatSender(self.api, state, settings.wechat_rate_limit, self.one_time)
        self._later: set[asyncio.Task[None]] = set()  # answers still being sent after the passive reply
        self.passive_budget = PASSIVE_BUDGET
        self._tarpit = Tarpit(settings.flood_hold_seconds)  # a flooder's dropped messages answered after a wait
        push_notes.register(PLATFORM, PUSH_NOTE, self.one_time.offer if self.one_time else None)

    def routes(self) -> list[BaseRoute]:
        """``GET /wechat`` (the server check) and ``POST /wechat`` (messages and events); with one-time
        subscriptions, ``GET /wechat/subscribed`` (where WeChat returns the person's choice)."""
        routes: list[BaseRoute] = [Route(PATH, self.receive, methods=["GET", "POST"])]
        return routes + (self.one_time.routes() if self.one_time else [])

    def sender(self) -> WeChatSender:
        """The outbox's WeChat sender."""
        return self._sender

    async def start(self) -> None:
        """Fetch the access token (checks the AppID and AppSecret), then set the account's menu."""
        try:
            await self.retry.call("WeChat access token", self.api.token, transient=_transient)
        except ApiError as err:
            if err.errcode is not None:
                raise ConfigurationError(
                    f"WeChat refused WECHAT_APP_ID / WECHAT_APP_SECRET ({err.errcode} {err.errmsg}): check both in "
                    "the official account's console (设置与开发 → 基本配置), and that this server's IP is allowed"
                ) from None
            raise StartupError(f"WeChat access token failed: {err}") from None
        except (TimeoutError, OSError) as err:
            raise StartupError(f"WeChat access token failed: {type(err).__name__}: {err}") from None
        try:
            await self.api.call(menu.CREATE, menu.of(self.settings))
        except ApiError as err:  # the account may lack the menu permission: the bot still answers
            log.warning("wechat menu not set (%s): set it in the console instead (docs/wechat.md)", err)
        log.info("wechat adapter started for %s%s", self.app_id, " in safe mode" if self.safe else "")

    async def sent_all(self, timeout: float = 5.0) -> None:
        """Wait (``timeout`` seconds at most) until every answer still being sent after its passive reply
        is sent."""
        if self._later:
            await asyncio.wait(self._later, timeout=timeout)

    async def stop(self) -> None:
        """Let answers still being sent finish (a few seconds at most; the rest are cancelled), then
        close the connections."""
        await self.sent_all()
        for task in list(self._later):
            task.cancel()
        if self._later:
            await asyncio.wait(self._later, timeout=1)
        await self.api.close()

    # --- inbound -------------------------------------------------------------------------------------

    async def receive(self, request: HttpRequest) -> Response:
        """One request from WeChat's servers: checked, deduplicated, answered within WeChat's 5 s."""
        query = request.query_params
        timestamp, nonce = query.get("timestamp"), query.get("nonce")
        if not protocol.check_signature(self._token, query.get("signature"), timestamp, nonce):
            return _refuse(403, "bad signature")
        if not self._fresh(timestamp):
            return _refuse(403, "stale timestamp")
        if request.method == "GET":  # the server check when the URL is saved in the console
            return PlainTextResponse(query.get("echostr", ""))
        encrypted = query.get("encrypt_type") == "aes"
        if encrypted and self.safe is None:
            return _refuse(400, "encrypted message but WECHAT_AES_KEY is not set")
        if self.safe is not None and not encrypted:  # the body of a plaintext one is not signed: refused
            return _refuse(403, "plaintext message, but safe mode is configured (WECHAT_AES_KEY)")
        try:
            body = await request.body()
            if encrypted:
                assert self.safe is not None
                sealed = protocol.encrypted_field(body)
                if not self.safe.check(query.get("msg_signature"), timestamp, nonce, sealed):
                    return _refuse(403, "bad msg_signature")
                body = self.safe.decrypt(sealed)
            message = protocol.parse(body)
        except protocol.BadMessage as err:
            return _refuse(400, str(err))
        request_key = f"request:{timestamp}:{nonce}:{query.get('signature')}"  # one body per signed request
        with logcontext.update(PLATFORM, message.msg_id or message.event):
            answer, later = await self.answer(message, request_key)
        if answer != SUCCESS and encrypted:
            assert self.safe is not None
            answer = self.safe.encrypt(answer, timestamp or "", secrets.token_hex(8))
        media = "application/xml" if answer != SUCCESS else "text/plain"
        return Response(answer, media_type=media, background=BackgroundTask(later) if later else None)

    def _fresh(self, timestamp: str | None) -> bool:
        """A timestamp within :data:`FRESH` seconds of now: an old signed request can't be replayed."""
        if timestamp is None or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            return False
        return abs(self.core.clock.now().timestamp() - int(timestamp)) <= FRESH

    async def answer(self, message: protocol.Inbound, request_key: str = "") -> tuple[str, Later | None]:
        """The passive reply to ``message`` (XML, or ``success`` when there is none to give), and what
        to send after it (customer-service messages), started once the reply has gone out.

        Everything before the passive reply (recording the message, the core's answer, its letters)
        shares one budget, :attr:`passive_budget`: past it the answer is ``success`` and the whole
        answer follows as customer-service messages, so nothing waits past WeChat's 5 seconds."""
        openid = message.from_user
        if self.core.silenced(PLATFORM, openid):
            await self._tarpit.hold()
            return SUCCESS, None
        address = Address(PLATFORM, openid, openid)
        work = asyncio.ensure_future(self._plan(message, request_key))
        try:
            plan = await asyncio.wait_for(asyncio.shield(work), self.passive_budget)
        except TimeoutError:
            return SUCCESS, partial(self._send_later, address, work, passive_too=True)
        later = partial(self._send_later, address, work) if plan.parts or plan.replies else None
        if plan.passive is None:
            return SUCCESS, later
        return protocol.text_reply(openid, message.to_user, plan.passive, self._now()), later

    async def _plan(self, message: protocol.Inbound, request_key: str) -> Plan:
        """Record the message, ask the core, and cut its answer into the passive reply and the rest."""
        try:
            turn = await self.core.blocking(lambda: self._turn(message, request_key))
        except Exception as error:  # the database away: answered, as the core answers everyone then
            if not unavailable(error):
                raise
            log.warning("wechat message not recorded, the database is unavailable: %s", type(error).__name__)
            return Plan(t(DEFAULT_LANGUAGE, "error.unavailable"))
        if turn is None:  # a message WeChat repeated: no second effect
            return Plan()
        if turn.answer is not None:  # in the bot's default language: WeChat tells no one's language
            return Plan(t(DEFAULT_LANGUAGE, turn.answer))
        if not turn.text and turn.action is None:
            return Plan()
        address = Address(PLATFORM, message.from_user, message.from_user)
        response = await self.core.respond_async(Request(address, text=turn.text, action=turn.action))
        if not response.replies:
            return Plan()
        first, *rest = response.replies
        try:
            text, more = await self._passive(message.from_user, first)
        except Exception as error:
            if unavailable(error):  # the database went away after the message was recorded
                return Plan(t(first.lang, "error.unavailable"))
            # a reply that could not be rendered is a bug: its traceback once, and a short apology
            log.error(
                "wechat update %s not answered: the reply could not be rendered", message.dedupe_key, exc_info=error
            )
            REPLIES_FAILED.labels(PLATFORM, "render").inc()
            return Plan(t(first.lang, "error.reply_failed"), lang=first.lang)
        return Plan(text, tuple(more), tuple(rest), first.lang)

    def _now(self) -> int:
        return int(self.core.clock.now().timestamp())

    def _turn(self, message: protocol.Inbound, request_key: str = "") -> Turn | None:
        """Record the message (None for a repeat: its id, or the signed request that carried it, seen
        before) with the window it opens, and say what to ask the core: a command or text, a typed
        letter's action, a fixed answer, or nothing."""
        state, openid = self.core.platform_state, message.from_user
        # the signed request first: a reused one records nothing (not even its message's key)
        key = (request_key, message.dedupe_key) if request_key else (message.dedupe_key,)
        if message.msg_type == "event":
            event = message.event or ""
            arrival = state.arrived(PLATFORM, openid, key, opens=OPENS.get(event), left=event == "unsubscribe")
            if arrival is None:
                return None
            if event == "click":
                return Turn(text=message.event_key or "")
            # a follow or scan is welcomed; an unfollow or a link opened from the menu gets no answer
            return Turn(text="/start") if event in ("subscribe", "scan") else Turn()
        typed = message.content if message.msg_type == "text" else None
        arrival = state.arrived(PLATFORM, openid, key, opens=AFTER_MESSAGE, typed=typed)
        if arrival is None:
            return None
        if typed is None:
            return Turn(answer="wechat.text_only")
        return Turn(action=arrival.action) if arrival.action else Turn(text=typed)

    async def _passive(self, openid: str, reply: Reply) -> tuple[str, list[str]]:
        """The first message of ``reply`` (its letters remembered), and the rest of its text."""
        actions = list(render(reply).actions)
        first_key = 1
        if actions:
            state = self.core.platform_state
            first_key = await self.core.blocking(lambda: state.remember_choices(PLATFORM, openid, actions))
        first, *more = messages(render(reply, first_key).text)
        return first, more

    async def _send_later(self, address: Address, work: asyncio.Future[Plan], *, passive_too: bool = False) -> None:
        """Send what did not go in the passive reply (all of it, ``passive_too``, when the answer came
        too late for one) as customer-service messages, in order, once the plan is ready."""

        async def run() -> None:
            plan = await work
            parts = ([plan.passive] if passive_too and plan.passive else []) + list(plan.parts)
            if parts:
                await self._report(address, await self._sender.send_parts(address.user_id, parts, plan.lang))
            for reply in plan.replies:
                await self._report(address, await self._sender.send(address, reply))

        task = asyncio.ensure_future(run())
        self._later.add(task)
        task.add_done_callback(self._done_later)

    def _done_later(self, task: asyncio.Task[None]) -> None:
        self._later.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("wechat answer not sent", exc_info=task.exception())

    @staticmethod
    async def _report(address: Address, result: SendResult) -> None:
        """An answer WeChat did not take is logged once and counted (``confbot_replies_failed_total``)."""
        if result.outcome != "sent":
            REPLIES_FAILED.labels(
                PLATFORM, "rejected" if result.outcome in ("unreachable", "failed") else "other"
            ).inc()
            log.warning("wechat answer to %s not sent: %s", address.user_id, result.error or result.outcome)


def _refuse(status: int, reason: str) -> Response:
    log.warning("wechat request refused (%d): %s", status, reason)
    return PlainTextResponse(reason, status_code=status)


def _transient(error: BaseException) -> bool:
    """Network errors and WeChat's 5xx / "system busy" are worth another try; a refusal is not."""
    if isinstance(error, ApiError):
        return error.errcode in (None, -1) and (error.errcode == -1 or error.status >= 500)
    return isinstance(error, TimeoutError | OSError)
