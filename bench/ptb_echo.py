"""A bare python-telegram-bot echo bot: the baseline confbot's CPU per update is compared with.

Run: ``python -m bench.ptb_echo`` with the same environment as ``confbot run`` in webhook mode
(``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_URL``, ``TELEGRAM_WEBHOOK_URL``, ``TELEGRAM_WEBHOOK_SECRET``,
``CONFBOT_HTTP_HOST``, ``CONFBOT_HTTP_PORT``). PTB's own ``run_webhook`` (its tornado server, the
secret token checked) serves ``/telegram/webhook``; one handler answers every text message with its
text, as HTML, like the shortest bot in PTB's examples. No database, no content, no core.
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message with its text."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, parse_mode=ParseMode.HTML)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    application = (
        Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_API_URL"]).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_webhook(
        listen=os.environ.get("CONFBOT_HTTP_HOST", "127.0.0.1"),
        port=int(os.environ.get("CONFBOT_HTTP_PORT", "8080")),
        url_path="telegram/webhook",
        webhook_url=os.environ["TELEGRAM_WEBHOOK_URL"] + "/telegram/webhook",
        secret_token=os.environ["TELEGRAM_WEBHOOK_SECRET"],
        allowed_updates=Update.ALL_TYPES,
    )


if __name__ == "__main__":
    main()
