"""The webhook endpoint: POST /telegram/webhook, checked against the secret token."""

from __future__ import annotations

import hmac
import logging
from json import JSONDecodeError
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> Route:
    """A Starlette route that feeds verified updates to ``app``; wrong secret → 403, no effect."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"ok": False, "error": "forbidden"}, status_code=403)
        try:
            data = await request.json()
        except (JSONDecodeError, UnicodeDecodeError):
            return JSONResponse({"ok": False, "error": "bad json"}, status_code=400)
        update = Update.de_json(data, app.bot)
        if update is None:
            return JSONResponse({"ok": False, "error": "not an update"}, status_code=400)
        # processed inline: stateless, so any replica can take any update
        await app.process_update(update)
        return Response(status_code=200)

    return Route(PATH, receive, methods=["POST"])
