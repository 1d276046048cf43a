"""The one way a reply leaves for Slack, for answers and pushes alike.

A reply with an attachment is uploaded into the user's DM (``files_upload_v2``); asked in a
channel, the user is told ephemerally where the file went. Any other reply is Block Kit,
through a ``response_url`` when answering a command or button, else ``chat.postMessage``.
Slack's errors are raised (``SlackApiError``); the push sender classifies them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import fallback_text, to_blocks
from bot.chat.messages import Reply, Span
from bot.i18n import t

MAX_COMMENT = 3000


class ResponseRefused(Exception):
    """Slack refused a post to a ``response_url`` (Bolt's ``respond`` returns the answer, never raises)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"response_url answered {status}: {body[:200]}")
        self.status, self.body = status, body


async def respond_checked(respond: Respond, **kwargs: Any) -> None:
    """``respond(**kwargs)``, raising :class:`ResponseRefused` if Slack did not take it."""
    result = await respond(**kwargs)
    status = getattr(result, "status_code", 200)
    if isinstance(status, int) and status >= 400:
        raise ResponseRefused(status, str(getattr(result, "body", "")))


class Respond(Protocol):
    """Bolt's ``respond``: posts to the interaction's ``response_url``."""

    def __call__(self, **kwargs: Any) -> Awaitable[Any]: ...


async def deliver(
    client: AsyncWebClient,
    user_id: str,
    reply: Reply,
    *,
    channel: str | None = None,
    respond: Respond | None = None,
    asked_in_channel: bool = False,
    thread_ts: str | None = None,
) -> None:
    """Send ``reply`` to ``user_id``: in ``channel`` (in the thread ``thread_ts`` if given), or as an
    ephemeral answer through ``respond``. Raises ``SlackApiError`` or :class:`ResponseRefused` when Slack
    refuses it."""
    if reply.attachment is not None:
        dm = await client.conversations_open(users=user_id)
        await client.files_upload_v2(
            channel=dm["channel"]["id"],
            content=reply.attachment.content,
            filename=reply.attachment.filename,
            initial_comment=reply.plain_text[:MAX_COMMENT],
        )
        if respond is not None and asked_in_channel:  # say where the file went
            note = Reply(lines=(*reply.lines, (Span(t(reply.lang, "slack.file_in_dm")),)), lang=reply.lang)
            await respond_checked(
                respond,
                blocks=to_blocks(note),
                text=fallback_text(note),
                response_type="ephemeral",
                replace_original=False,
            )
        return
    blocks, text = to_blocks(reply), fallback_text(reply)
    if respond is not None:
        await respond_checked(respond, blocks=blocks, text=text, response_type="ephemeral", replace_original=False)
    else:
        await client.chat_postMessage(channel=channel or user_id, blocks=blocks, text=text, thread_ts=thread_ts)
