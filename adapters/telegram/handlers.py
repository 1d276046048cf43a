"""PTB handlers: translate updates into core requests and render the replies. No logic."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from adapters.telegram.channels import TelegramChatRights
from adapters.telegram.outbound import answer, send_reply
from adapters.telegram.render import keyboard, to_html
from adapters.telegram.sender import retry_seconds
from bot.chat.messages import Address, Reply, Request, Span, UserFile
from bot.core import Core
from bot.i18n import t
from bot.ops.metrics import REPLIES_FAILED

log = logging.getLogger(__name__)
PLATFORM = "telegram"


def _request(update: Update, text: str = "", action: str | None = None, file: UserFile | None = None) -> Request:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    chat_id = str(chat.id) if chat is not None else str(user.id)
    is_group = chat is not None and chat.type != ChatType.PRIVATE
    return Request(
        Address(PLATFORM, str(user.id), chat_id),
        text=text,
        action=action,
        locale=user.language_code,
        display_name=user.full_name,
        is_group=is_group,
        channel=chat_id if is_group else None,  # where /announce posts go
        file=file,
        authorless_chat=chat is not None and chat.type == ChatType.CHANNEL,
    )


def refusal(error: TelegramError) -> tuple[str, str]:
    """A Bot API error as its kind (``429``, ``403``, ``400``, ``timeout``, ``network``) and one line."""
    if isinstance(error, RetryAfter):
        return "429", f"429 Too Many Requests (retry after {retry_seconds(error):g} s)"
    if isinstance(error, Forbidden):
        return "403", f"403 {error.message}"
    if isinstance(error, BadRequest):
        return "400", f"400 {error.message}"
    if isinstance(error, TimedOut):
        return "timeout", f"timed out: {error.message}"
    if isinstance(error, NetworkError):
        return "network", f"network: {error.message}"
    return type(error).__name__, f"{type(error).__name__}: {error.message}"


# a refusal's kind (see refusal) as the reason confbot_replies_failed_total counts
REASONS = {"400": "rejected", "403": "forbidden", "429": "rate_limited", "timeout": "timeout", "network": "network"}
APOLOGISE = ("rejected", "render", "other")  # the content was the problem: a short apology gets through


def apology(lang: str) -> Reply:
    """What the user gets when their answer could not be sent."""
    return Reply(((Span(t(lang, "error.reply_failed")),),), lang=lang)


def user_file(message: Message) -> UserFile | None:
    """The photo (its largest size) or document of ``message``, by the file_id this bot may resend."""
    if message.photo:
        return UserFile(PLATFORM, "photo", message.photo[-1].file_id)
    if message.document is not None:
        return UserFile(PLATFORM, "document", message.document.file_id, message.document.file_name)
    return None


def addressed_command(text: str, bot_username: str) -> bool:
    """In a group: a command with no @suffix, or addressed to this bot."""
    match = re.match(r"^/[A-Za-z0-9_]+(@([A-Za-z0-9_]+))?(\s|$)", text)
    if not match:
        return False
    target = match.group(2)
    return target is None or target.lower() == bot_username.lower()


class Handlers:
    """The handlers of one application, bound to the core."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register every handler on ``app``."""
        app.add_handler(MessageHandler(filters.TEXT & ~filters.UpdateType.EDITED, self.on_text))
        files = (filters.PHOTO | filters.Document.ALL) & filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED
        app.add_handler(MessageHandler(files, self.on_file))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_handler(PollAnswerHandler(self.on_poll_answer))
        app.add_error_handler(self.on_error)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A failed update is logged; the bot goes on with the next one. Telegram refusing a reply (429
        in a flood, 403 from a user who blocked the bot, a 400, a timeout) is expected: one line without
        a traceback. Anything else is a bug: its traceback."""
        update_id = update.update_id if isinstance(update, Update) else None  # ids only: no user text in logs
        error = context.error
        if isinstance(error, TelegramError):
            kind, detail = refusal(error)
            log.warning(
                "telegram update %s not answered: Telegram refused the reply: %s",
                update_id,
                detail,
                extra={"refusal": kind},
            )
            return
        log.error("telegram update failed: update_id=%s", update_id, exc_info=error)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message: a command, or (in private chats) a search."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or message.text is None or chat is None:
            return
        addressed = addressed_command(message.text, context.bot.username)
        if update.effective_user is None:  # a channel post: its author is unknown
            announce = addressed and re.match(r"^/announce\b", message.text, re.IGNORECASE)
            if chat.type == ChatType.CHANNEL and announce:
                with contextlib.suppress(BadRequest, Forbidden):  # the bot may not be allowed to post
                    await message.reply_text(t("zh", "telegram.channel_announce", chat=chat.id))
            return
        request = _request(update, text=message.text)
        # in a group the core takes only what is for it (ordinary chatter gets no reply)
        response = await self.core.respond_async(request, chats=TelegramChatRights(context.bot), addressed=addressed)
        for reply in response.replies:
            await self._deliver(update, reply, lambda r: answer(message, r))

    async def on_file(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo or document in the private chat, its caption as the text: ``/helpdesk <text>`` as the
        caption opens a ticket with it; with no command it is a follow-up to the open ticket."""
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        for reply in await self.core.handle_async(
            _request(update, text=message.caption or "", file=user_file(message))
        ):
            await self._deliver(update, reply, lambda r: answer(message, r))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: run its action; edit in place when the reply asks to."""
        query = update.callback_query
        if query is None or update.effective_user is None:
            return
        answered = False
        try:
            replies = await self.core.handle_async(_request(update, action=query.data or ""))
            notice = replies[0].notice if replies else None
            await query.answer(notice[:200] if notice else None)
            answered = True
            for reply in replies:
                await self._deliver(update, reply, lambda r: self._show(update, context, r))
        finally:
            if not answered:  # the core failed: still stop the button's spinner
                await query.answer()

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A vote in a native poll the bot posted (bot/features/polls): counted as that person's vote,
        with Telegram's poll id for the poll; a retracted vote takes it back. Nothing is answered: a
        poll answer has no chat to answer in."""
        answered = update.poll_answer
        if answered is None or answered.user is None:  # an anonymous vote names nobody
            return
        user = answered.user
        option = str(answered.option_ids[0]) if answered.option_ids else "none"
        request = Request(
            Address(PLATFORM, str(user.id), str(user.id)),
            action=f"poll_vote {PLATFORM}:{answered.poll_id} {option}",
            locale=user.language_code,
            display_name=user.full_name,
            background=True,
        )
        await self.core.handle_async(request)

    async def _deliver(self, update: Update, reply: Reply, send: Callable[[Reply], Awaitable[None]]) -> None:
        """``send(reply)``; if it can't be rendered or Telegram refuses it, the failure is logged once
        with the update id and counted (``confbot_replies_failed_total``), and the person gets a short
        apology in the reply's language where the content was the problem (never silence)."""
        try:
            await send(reply)
            return
        except TelegramError as error:
            kind, detail = refusal(error)
            reason = REASONS.get(kind, "other")
            log.warning(
                "telegram update %s not answered: Telegram refused the reply: %s",
                update.update_id,
                detail,
                extra={"refusal": kind},
            )
        except Exception as error:  # a reply that could not be rendered is a bug: its traceback, once
            reason = "render"
            log.error(
                "telegram update %s not answered: the reply could not be rendered", update.update_id, exc_info=error
            )
        REPLIES_FAILED.labels(PLATFORM, reason).inc()
        if reason in APOLOGISE:
            with contextlib.suppress(TelegramError):
                await self._apologise(update, reply.lang)

    async def _apologise(self, update: Update, lang: str) -> None:
        """The apology, where the answer would have gone (the private chat for a shared inline message)."""
        message = update.effective_message
        user = update.effective_user
        if message is not None and (update.callback_query is None or update.callback_query.message is not None):
            await answer(message, apology(lang))
        elif user is not None:
            with contextlib.suppress(Forbidden):
                await send_reply(update.get_bot(), user.id, apology(lang))

    async def _show(self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
        """One reply to a button: edited in place, or as a new message."""
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        if reply.edit and reply.attachment is None and query.inline_message_id is not None:
            return  # a card shared with @bot is everyone's: the presser's state is in the toast only
        if reply.edit and reply.attachment is None and isinstance(query.message, Message):
            try:
                await query.edit_message_text(
                    to_html(reply),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(reply),
                    disable_web_page_preview=True,
                )
            except BadRequest as err:
                if "message is not modified" not in err.message.lower():
                    raise  # pressing the button already shown (e.g. the current day) is no error
        elif isinstance(query.message, Message):
            await answer(query.message, reply)
        else:  # a shared inline message (or one too old to reach): answer in the private chat
            with contextlib.suppress(Forbidden):  # the presser never opened the bot: the toast was the answer
                await send_reply(context.bot, update.effective_user.id, reply)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``@bot xdp`` in any chat: matching talks to share."""
        query = update.inline_query
        if query is None:
            return
        results = [
            InlineQueryResultArticle(
                id=card.id,
                title=card.title[:256],
                description=card.description[:256] or None,
                input_message_content=InputTextMessageContent(to_html(card.card), parse_mode=ParseMode.HTML),
                reply_markup=keyboard(card.card),
            )
            for card in self.core.inline_cards(query.query, query.from_user.language_code)
        ]
        await query.answer(results, cache_time=60, is_personal=False)
