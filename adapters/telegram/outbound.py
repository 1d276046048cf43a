"""The one way a reply leaves for Telegram, for answers and pushes alike.

A reply with an attachment is a document with the text as its caption; a reply forwarding a user's
Telegram file (a helpdesk ticket's photo) is that photo or document, sent again by its ``file_id``,
with the text as its caption and the buttons; any other reply is an HTML message with its inline
keyboard, after a native venue (a map pin) when it has a place. A forwarded file from another
platform is a line of the text (its link, or where it was sent).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from telegram import Bot, Message, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from adapters.telegram.render import MAX_CAPTION, keyboard, to_html
from bot.chat.files import forward_as_text
from bot.chat.messages import Reply, Span
from bot.i18n import t

PLATFORM = "telegram"
ANSWER_READ_TIMEOUT = 5.0  # seconds; python-telegram-bot's own default
MAX_VENUE_TEXT = 256  # a venue's title and address are cut to this


async def send_reply(
    bot: Bot,
    chat_id: int | str,
    reply: Reply,
    *,
    thread_id: int | None = None,
    quote: ReplyParameters | None = None,
    read_timeout: float = ANSWER_READ_TIMEOUT,
    paid_broadcast: bool = False,
) -> None:
    """Send ``reply`` to ``chat_id`` (in a forum topic, quoting a message, when given).

    ``read_timeout`` is how long to wait for the Bot API's answer (pushes wait longer);
    ``paid_broadcast`` sends it as a paid broadcast (``allow_paid_broadcast``, beyond the free limits).
    """
    paid = True if paid_broadcast else None
    if reply.place is not None:
        await bot.send_venue(
            chat_id,
            latitude=reply.place.latitude,
            longitude=reply.place.longitude,
            title=reply.place.title[:MAX_VENUE_TEXT],
            address=reply.place.address[:MAX_VENUE_TEXT],
            message_thread_id=thread_id,
            reply_parameters=quote,
            read_timeout=read_timeout,
        )
        quote = None  # the pin quotes the question; the text follows it
    if reply.forward is not None and reply.forward.platform != PLATFORM:  # not this bot's file: say where it is
        reply = forward_as_text(reply)
    forward = reply.forward
    # what every kind of message below is sent with
    common: dict[str, Any] = {
        "parse_mode": ParseMode.HTML,
        "message_thread_id": thread_id,
        "reply_parameters": quote,
        "read_timeout": read_timeout,
        "allow_paid_broadcast": paid,
    }
    if forward is not None and reply.attachment is None:
        send = bot.send_photo if forward.kind == "photo" else bot.send_document
        try:
            await send(
                chat_id, forward.file_id, caption=to_html(reply, MAX_CAPTION), reply_markup=keyboard(reply), **common
            )
            return
        except BadRequest:  # the file can't be resent (gone, wrong id): the text still arrives, saying so
            lost = Span("📎 " + t(reply.lang, "telegram.file_lost"))
            reply = dataclasses.replace(reply, lines=(*reply.lines, (lost,)), forward=None)
    if reply.attachment is not None:
        content, filename = reply.attachment.content, reply.attachment.filename
        await bot.send_document(chat_id, content, filename=filename, caption=to_html(reply, MAX_CAPTION), **common)
    else:
        await bot.send_message(
            chat_id, to_html(reply), reply_markup=keyboard(reply), disable_web_page_preview=True, **common
        )


async def answer(message: Message, reply: Reply) -> None:
    """Answer ``message`` in its chat: quoting it in groups, in its forum topic if any."""
    quote = ReplyParameters(message.message_id) if message.chat.type != ChatType.PRIVATE else None
    thread_id = message.message_thread_id if message.is_topic_message else None
    await send_reply(message.get_bot(), message.chat_id, reply, thread_id=thread_id, quote=quote)
