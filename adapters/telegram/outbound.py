"""The one way a reply leaves for Telegram, for answers and pushes alike.

A reply with an attachment is a document with the text as its caption; a reply forwarding a user's
Telegram file (a helpdesk ticket's photo) is that photo or document, sent again by its ``file_id``,
with the text as its caption and the buttons; any other reply is an HTML message with its inline
keyboard, after a native venue (a map pin) when it has a place. A forwarded file from another
platform is a line of the text (its link, or where it was sent).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Message, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from adapters.telegram.render import MAX_CAPTION, keyboard, keyboard_json, to_html
from bot.chat.files import forward_as_text
from bot.chat.messages import PollSpec, Reply, Span
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
        # what Bot.send_message posts, through the same Bot._post (defaults, a rate limiter, the errors
        # raised), built as plain JSON: PTB's objects for the keyboard, and the sent Message it would parse
        # from the answer (which nothing reads), were an eighth of an update's CPU (docs/benchmarks.md, issue 21)
        params = {"chat_id": chat_id, "text": to_html(reply), "reply_markup": keyboard_json(reply), **common}
        params["link_preview_options"] = {"is_disabled": True}  # disable_web_page_preview=True
        await bot._post("sendMessage", params, read_timeout=params.pop("read_timeout"))


# https://core.telegram.org/bots/api#sendpoll: close_date "must be at least 5 and no more than 2628000
# seconds in the future"; a talk ending later than that (or sooner) gets no close_date, and the core
# refuses votes after the talk's end anyway
MIN_CLOSE, MAX_CLOSE = 5, 2628000


async def send_poll(bot: Bot, chat_id: int | str, poll: PollSpec, *, read_timeout: float) -> str:
    """Post ``poll`` as a native Telegram poll; returns Telegram's poll id (its answers carry it).

    Not anonymous, so that each answer arrives as a ``poll_answer`` update naming its voter and is
    counted once per person with the votes from Slack and the web (an anonymous poll's answers never
    reach the bot one by one). Telegram allows that in groups, not in channels: there it answers 400,
    and the sender posts the poll as text with a vote button per option instead.
    """
    ahead = (poll.closes_at - datetime.now(UTC)).total_seconds() if poll.closes_at is not None else 0
    close = poll.closes_at if poll.closes_at is not None and MIN_CLOSE <= ahead <= MAX_CLOSE else None
    message = await bot.send_poll(
        chat_id,
        poll.question,
        list(poll.options),
        is_anonymous=False,
        close_date=close,
        read_timeout=read_timeout,
    )
    assert message.poll is not None
    return message.poll.id


async def answer(message: Message, reply: Reply) -> None:
    """Answer ``message`` in its chat: quoting it in groups, in its forum topic if any."""
    quote = ReplyParameters(message.message_id) if message.chat.type != ChatType.PRIVATE else None
    thread_id = message.message_thread_id if message.is_topic_message else None
    await send_reply(message.get_bot(), message.chat_id, reply, thread_id=thread_id, quote=quote)
