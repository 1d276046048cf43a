"""Bolt listeners: translate Slack payloads into core requests and render the replies."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import fallback_text, to_blocks
from bot import users
from bot.app import Core, parse_command
from bot.commands import lookup
from bot.home import home_reply
from bot.i18n import register, t
from bot.messages import Address, Reply, Request, Span

log = logging.getLogger(__name__)
PLATFORM = "slack"
register({"slack.file_in_dm": {"zh": "📎 文件已通过私信发给您。", "en": "📎 The file is in your direct messages."}})
SEEN_EVENTS = 1000  # event ids remembered, so a redelivered DM is answered once
CHANGES_HOME = {"subscribe", "unsubscribe", "remind", "lang"}  # commands after which the App Home is republished


def changes_home(request: Request) -> bool:
    """Whether this request (any alias, typed or pressed) may change what the App Home shows.

    The same reading as the core's: a button's action is always a command; a text only
    when it starts with "/" (otherwise it is a search).
    """
    if request.action is not None:
        name = request.action.strip().lstrip("/").partition(" ")[0]
    else:
        parsed = parse_command(request.text.strip())
        name = parsed[0] if parsed else ""
    command = lookup(name) if name else None
    return command is not None and command.name in CHANGES_HOME


def conf_text(text: str) -> str:
    """``/conf agenda`` → ``/agenda``; ``/conf xdp`` → a search for ``xdp``; ``/conf`` → ``/help``."""
    text = text.strip()
    if not text:
        return "/help"
    if text.startswith("/"):
        return text
    first = text.split()[0]
    return f"/{text}" if lookup(first) is not None else text


class SlackHandlers:
    """The listeners of one Bolt app, bound to the core."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._profiles: dict[str, tuple[str | None, str | None]] = {}  # user -> (locale, display name)
        self._seen: OrderedDict[str, None] = OrderedDict()

    def install(self, app: AsyncApp) -> None:
        """Register every listener on ``app``."""
        app.command("/conf")(self.on_conf)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(re.compile(r"^confbot_url_\d+$"))(self.on_url_button)
        app.action(re.compile(r"^confbot_\d+$"))(self.on_button)
        app.action(re.compile(r"^confbot_day_\d+$"))(self.on_button)  # the day picker's choice

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
        self, client: AsyncWebClient, user_id: str, channel: str | None, *, text: str = "", action: str | None = None
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
        )

    async def on_conf(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        """``/conf …``: ack at once, then answer ephemerally."""
        await ack()
        request = await self._request(
            client, command["user_id"], command.get("channel_id"), text=conf_text(command.get("text", ""))
        )
        for reply in self.core.handle(request):
            await self._deliver(client, respond, request, reply, ephemeral=True)
        await self._refresh_home_if_needed(client, request)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        """A direct message: a command or a search, answered in the DM (once, even if Slack redelivers it)."""
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        if self._already_seen(str(body.get("event_id") or "")):
            return
        request = await self._request(client, event["user"], event["channel"], text=event.get("text", ""))
        for reply in self.core.handle(request):
            await self._deliver(client, None, request, reply, ephemeral=False, channel=event["channel"])
        await self._refresh_home_if_needed(client, request)

    async def on_button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """A button or the day picker: run its action; replace the message when the reply asks to.

        In the App Home there is no message to replace: the refreshed Home is the update,
        and any other answer (a talk, the .ics) goes to the user's DM.
        """
        await ack()
        channel = (body.get("channel") or {}).get("id")
        value = (action.get("selected_option") or {}).get("value") or action.get("value", "")
        request = await self._request(client, body["user"]["id"], channel, action=value)
        in_home = (body.get("view") or {}).get("type") == "home"
        has_response_url = bool(body.get("response_url"))
        for reply in self.core.handle(request):
            if reply.edit and in_home and reply.attachment is None:
                continue
            if reply.edit and has_response_url and reply.attachment is None:
                await respond(blocks=to_blocks(reply), text=fallback_text(reply), replace_original=True)
            else:
                await self._deliver(
                    client, respond if has_response_url else None, request, reply, ephemeral=has_response_url
                )
        await self._refresh_home_if_needed(client, request, force=in_home)

    def _already_seen(self, event_id: str) -> bool:
        if not event_id:
            return False
        if event_id in self._seen:
            return True
        self._seen[event_id] = None
        if len(self._seen) > SEEN_EVENTS:
            self._seen.popitem(last=False)
        return False

    async def on_url_button(self, ack: Any) -> None:
        """Link buttons open in the browser; Slack still wants an ack."""
        await ack()

    async def on_home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """Refresh the App Home each time it is opened."""
        if event.get("tab", "home") == "home":
            await self.publish_home(client, event["user"])

    async def publish_home(self, client: AsyncWebClient, user_id: str) -> None:
        """views.publish the user's personal agenda, now and next."""
        reply = home_reply(self.core, Address(PLATFORM, user_id, user_id), await self.locale(client, user_id))
        await client.views_publish(user_id=user_id, view={"type": "home", "blocks": to_blocks(reply)})

    async def _refresh_home_if_needed(self, client: AsyncWebClient, request: Request, force: bool = False) -> None:
        if force or changes_home(request):
            try:
                await self.publish_home(client, request.address.user_id)
            except SlackApiError as err:
                log.warning("could not refresh the App Home: %s", err)

    def _language(self, request: Request) -> str:
        """The language the core answers this user in (their /lang choice or their locale)."""
        with self.core.db.session() as session:
            user = users.find(session, PLATFORM, request.address.user_id)
            return user.language if user is not None else "zh"

    async def _deliver(
        self,
        client: AsyncWebClient,
        respond: Any,
        request: Request,
        reply: Reply,
        *,
        ephemeral: bool,
        channel: str | None = None,
    ) -> None:
        if reply.attachment is not None:
            dm = await client.conversations_open(users=request.address.user_id)
            await client.files_upload_v2(
                channel=dm["channel"]["id"],
                content=reply.attachment.content,
                filename=reply.attachment.filename,
                initial_comment=reply.plain_text[:3000],
            )
            if respond is not None and request.is_group:  # asked in a channel: say where the file went
                note = Reply(lines=(*reply.lines, (Span(t(self._language(request), "slack.file_in_dm")),)))
                await respond(
                    blocks=to_blocks(note), text=fallback_text(note), response_type="ephemeral", replace_original=False
                )
            return
        blocks, text = to_blocks(reply), fallback_text(reply)
        if respond is not None:
            await respond(
                blocks=blocks,
                text=text,
                response_type="ephemeral" if ephemeral else "in_channel",
                replace_original=False,
            )
        else:
            await client.chat_postMessage(channel=channel or request.address.user_id, blocks=blocks, text=text)
