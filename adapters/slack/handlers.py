"""Bolt listeners: translate Slack payloads into core requests and render the replies."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import ResponseRefused, deliver, respond_checked
from adapters.slack.render import fallback_text, to_blocks
from adapters.slack.sender import answer_of
from bot.chat.groups import takes_message
from bot.chat.messages import Address, Reply, Request, Span, UserFile
from bot.chat.registry import lookup
from bot.core import Core
from bot.i18n import t
from bot.ops import logcontext
from bot.ops.metrics import REPLIES_FAILED

log = logging.getLogger(__name__)
PLATFORM = "slack"


_LINK = re.compile(r"<(https?://[^|<>\s]+)(?:\|([^<>]*))?>")


def typed_text(text: str) -> str:
    """What the user typed: Slack sends ``&``, ``<``, ``>`` as entities and URLs as ``<url|label>``."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def conf_text(text: str) -> str:
    """``/conf agenda`` → ``/agenda``; ``/conf xdp`` → a search for ``xdp``; ``/conf`` → ``/help``."""
    text = typed_text(text).strip()
    if not text:
        return "/help"
    if text.startswith("/"):
        return text
    first = text.split()[0]
    return f"/{text}" if lookup(first) is not None else text


# Slack's errors for content it refuses (the rest are the conversation's or the token's)
CONTENT_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "invalid_arguments", "no_text"}
GONE = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found"}
APOLOGISE = ("rejected", "render", "other")  # the content was the problem: a short apology gets through
Send = Callable[[Reply], Awaitable[None]]


def failure_reason(error: Exception) -> str:
    """Why Slack did not take a reply, as ``confbot_replies_failed_total`` counts it."""
    if isinstance(error, ResponseRefused):
        return "rate_limited" if error.status == 429 else "rejected"
    if isinstance(error, SlackApiError):
        status, code, _ = answer_of(error)
        if status == 429 or code == "ratelimited":
            return "rate_limited"
        if code in CONTENT_ERRORS:
            return "rejected"
        return "forbidden" if code in GONE else "other"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ClientError | OSError):
        return "network"
    return "render"


def _log_failure(update_id: object, error: Exception) -> None:
    """One line for Slack refusing a reply or the network failing; a traceback for a reply that could not
    be rendered (a bug)."""
    if isinstance(error, SlackApiError | ResponseRefused):
        status, code, _ = answer_of(error) if isinstance(error, SlackApiError) else (error.status, error.body, {})
        log.warning(
            "slack update %s not answered: Slack refused the reply: %d %s",
            update_id,
            status,
            code or "not a Slack API answer",
            extra={"refusal": str(status) if status != 200 else code or "not json"},
        )
    elif isinstance(error, aiohttp.ClientError | TimeoutError | OSError):
        log.warning("slack update %s not answered: network: %s", update_id, type(error).__name__)
    else:
        log.error("slack update %s not answered: the reply could not be rendered", update_id, exc_info=error)


async def deliver_or_apologise(update_id: object, reply: Reply, send: Send) -> None:
    """``send(reply)``; if it can't be rendered or Slack refuses it, the failure is logged once with the
    event or trigger id and counted (``confbot_replies_failed_total``), and the person gets a short
    apology the same way, in the reply's language, where the content was the problem (never silence)."""
    try:
        await send(reply)
        return
    except Exception as error:
        reason = failure_reason(error)
        _log_failure(update_id, error)
    REPLIES_FAILED.labels(PLATFORM, reason).inc()
    if reason in APOLOGISE:
        sorry = Reply(((Span(t(reply.lang, "error.reply_failed")),),), lang=reply.lang)
        with contextlib.suppress(Exception):  # nothing more to say if even that is refused
            await send(sorry)


def user_file(event: dict[str, Any]) -> UserFile | None:
    """The first file shared with a message (``subtype: file_share``), as a link to it: a bot can't
    re-share a user's file into another conversation without reading it (``files:read``)."""
    files = event.get("files") or []
    if not files:
        return None
    first = files[0]
    kind = "photo" if str(first.get("mimetype") or "").startswith("image/") else "document"
    name = first.get("name") or first.get("title")
    return UserFile(PLATFORM, kind, first["id"], name or None, first.get("permalink") or None)


def chatter(event: dict[str, Any]) -> bool:
    """Not a person's message: a bot's, an edit, a join and the other subtypes (a file share counts, and
    a thread reply also sent to the channel: ``thread_broadcast``)."""
    person = (None, "file_share", "thread_broadcast")
    return bool(event.get("bot_id")) or event.get("subtype") not in person or not event.get("user")


class SlackHandlers:
    """The listeners of one Bolt app, bound to the core."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._profiles: dict[str, tuple[str | None, str | None]] = {}  # user -> (locale, display name)

    def install(self, app: AsyncApp) -> None:
        """Register every listener on ``app``."""
        app.use(self.in_context)
        app.command("/conf")(self.on_conf)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(re.compile(r"^confbot_url_\d+$"))(self.on_url_button)
        app.action(re.compile(r"^confbot_\d+$"))(self.on_button)
        app.action(re.compile(r"^confbot_day_\d+$"))(self.on_button)  # the day picker's choice

    async def in_context(self, body: dict[str, Any], next: Any) -> None:  # noqa: A002 (Bolt's argument name)
        """Middleware: the listener (and the task Bolt runs it in) logs with the event or trigger id."""
        with logcontext.update(PLATFORM, body.get("event_id") or body.get("trigger_id")):
            await next()

    async def profile(self, client: AsyncWebClient, user_id: str) -> tuple[str | None, str | None]:
        """The user's Slack locale and display name (``users.info`` with ``include_locale``), cached."""
        if user_id not in self._profiles:
            try:
                user = (await client.users_info(user=user_id, include_locale=True)).get("user") or {}
                profile = user.get("profile") or {}
                name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                self._profiles[user_id] = (user.get("locale"), name or None)
            except SlackApiError as err:  # answer anyway, in the stored or default language
                log.warning("users.info %s: %s", user_id, err.response.get("error"))
                self._profiles[user_id] = (None, None)
        return self._profiles[user_id]

    async def locale(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The user's Slack locale, e.g. ``zh-CN`` (cached)."""
        return (await self.profile(client, user_id))[0]

    async def _request(
        self,
        client: AsyncWebClient,
        user_id: str,
        channel: str | None,
        *,
        text: str = "",
        action: str | None = None,
        file: UserFile | None = None,
    ) -> Request:
        dm = channel if channel and channel.startswith("D") else None
        locale, name = await self.profile(client, user_id)
        return Request(
            Address(PLATFORM, user_id, dm or user_id),
            text=text,
            action=action,
            locale=locale,
            display_name=name,
            is_group=dm is None,
            channel=channel if dm is None else None,  # the channel a /conf command ran in: where /announce posts go
            file=file,
        )

    async def on_conf(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        """``/conf …``: ack at once, then answer ephemerally (once: a replayed command is ignored)."""
        await ack()
        if self.silenced(command["user_id"]) or not await self._first("trigger", command.get("trigger_id")):
            return
        request = await self._request(
            client, command["user_id"], command.get("channel_id"), text=conf_text(command.get("text", ""))
        )
        response = await self.core.respond_async(request)
        user, group = request.address.user_id, request.is_group
        for reply in response.replies:
            await deliver_or_apologise(
                command.get("trigger_id"),
                reply,
                lambda r: deliver(client, user, r, respond=respond, asked_in_channel=group),
            )
        await self._refresh_home(client, request, response.home_changed)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """A direct message, or a channel message a prompt awaits from its sender (a helpdesk answer)."""
        if chatter(event):
            return
        if event.get("channel_type") == "im":
            await self.on_direct_message(event, body, client)
        elif event.get("channel_type") in ("channel", "group"):
            await self.on_channel_message(event, body, client)

    async def on_direct_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """A command or a search (a shared file goes with it), answered in the DM once, even if Slack
        redelivers the event."""
        if self.silenced(event["user"]) or not await self._first("event", body.get("event_id")):
            return
        text = typed_text(event.get("text", ""))
        request = await self._request(client, event["user"], event["channel"], text=text, file=user_file(event))
        response = await self.core.respond_async(request)
        user, dm = request.address.user_id, event["channel"]
        for reply in response.replies:
            await deliver_or_apologise(body.get("event_id"), reply, lambda r: deliver(client, user, r, channel=dm))
        await self._refresh_home(client, request, response.home_changed)

    async def on_channel_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """In a channel only the text a prompt awaits from this member there is taken (answered in its
        thread); everything else is the channel's own chatter and never answered."""
        channel, user = event["channel"], event["user"]
        if self.silenced(user):
            return
        asked = Request(Address(PLATFORM, user, user), is_group=True, channel=channel)
        # commands come by /conf, never as channel messages, and the bot takes no mentions
        if not await takes_message(
            is_group=True, command=False, addressed=False, awaited=lambda: self.core.awaits_input_async(asked)
        ):
            return
        if not await self._first("event", body.get("event_id")):
            return
        request = await self._request(client, user, channel, text=typed_text(event.get("text", "")))
        thread = event.get("thread_ts") or event.get("ts")
        # decided again in the member's turn: an earlier message of theirs may have been the awaited one
        for reply in (await self.core.respond_async(request, addressed=False)).replies:
            await deliver_or_apologise(
                body.get("event_id"), reply, lambda r: deliver(client, user, r, channel=channel, thread_ts=thread)
            )

    async def on_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """A button or the day picker: run its action; replace the message when the reply asks to.

        In the App Home there is no message to replace: the refreshed Home is the update,
        and any other answer (a talk, the .ics) goes to the user's DM.
        """
        await ack()
        if self.silenced(body["user"]["id"]) or not await self._first("trigger", body.get("trigger_id")):
            return
        channel = (body.get("channel") or {}).get("id")
        value = (action.get("selected_option") or {}).get("value") or action.get("value", "")
        request = await self._request(client, body["user"]["id"], channel, action=value)
        in_home = (body.get("view") or {}).get("type") == "home"
        has_response_url = bool(body.get("response_url"))
        response = await self.core.respond_async(request)
        user, group = request.address.user_id, request.is_group

        async def replace(reply: Reply) -> None:
            await respond_checked(respond, blocks=to_blocks(reply), text=fallback_text(reply), replace_original=True)

        async def post(reply: Reply) -> None:
            await deliver(client, user, reply, respond=respond if has_response_url else None, asked_in_channel=group)

        for reply in response.replies:
            if reply.edit and in_home and reply.attachment is None:
                continue
            edits = reply.edit and has_response_url and reply.attachment is None
            await deliver_or_apologise(body.get("trigger_id"), reply, replace if edits else post)
        await self._refresh_home(client, request, response.home_changed or in_home)

    def silenced(self, user_id: str) -> bool:
        """A person over their inbound limit and told so already: dropped before any work (the
        redelivery check writes to the database). The core itself decides everyone else's turn."""
        return self.core.silenced(PLATFORM, user_id)

    async def _first(self, kind: str, key: object) -> bool:
        """False for a redelivery or replay of a request any replica already handled (kept 10 min)."""
        return not key or await self.core.blocking(
            lambda: self.core.first_delivery(f"{PLATFORM}:{kind}:{str(key)[:150]}")
        )

    async def on_url_button(self, ack: Any) -> None:
        """Link buttons open in the browser; Slack still wants an ack."""
        await ack()

    async def on_home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """Refresh the App Home each time it is opened."""
        if event.get("tab", "home") == "home":
            await self.publish_home(client, event["user"])

    async def publish_home(self, client: AsyncWebClient, user_id: str) -> None:
        """views.publish the user's personal agenda, now and next."""
        address, locale = Address(PLATFORM, user_id, user_id), await self.locale(client, user_id)
        reply = await self.core.blocking(lambda: self.core.home(address, locale))
        await client.views_publish(user_id=user_id, view={"type": "home", "blocks": to_blocks(reply)})

    async def _refresh_home(self, client: AsyncWebClient, request: Request, changed: bool) -> None:
        if changed:
            try:
                await self.publish_home(client, request.address.user_id)
            except SlackApiError as err:
                log.warning("could not refresh the App Home: %s", err)
