"""The webhook endpoint: POST /telegram/webhook, checked against the secret token."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from adapters.tarpit import Tarpit
from adapters.telegram import inbound

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(
    app: Application[Any, Any, Any, Any, Any, Any],
    secret: str,
    silenced: Callable[[str], bool] | None = None,
    tarpit: Tarpit | None = None,
) -> Route:
    """A Starlette route that feeds verified updates to ``app``.

    A wrong secret is 403 and a body that is not an update is 400, both with no effect. An update
    from a person ``silenced`` says is over their inbound limit (told so already) is answered 200
    and dropped before it is checked or parsed: a flood costs the JSON parse and no more. In a private
    chat the answer waits in ``tarpit`` first, so a flooder answered at once can't make the bot spin on
    refusals; in a group it goes at once (Telegram delivers a chat's updates in turn: holding one
    would hold up the other members).
    """

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"ok": False, "error": "forbidden"}, status_code=403)
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser's depth
            return _refuse("bad json", "the body is not JSON")
        sender = inbound.sender_id(data)
        if silenced is not None and sender is not None and silenced(str(sender)):
            if tarpit is not None and inbound.in_private_chat(data):  # a group's updates wait for no one
                await tarpit.hold()
            return Response(status_code=200)
        problem = inbound.problem(data)
        if problem is not None:
            return _refuse("not an update", problem)
        try:
            update = Update.de_json(data, app.bot)
        except Exception as exc:  # pure parsing: any failure is the input's (a date out of range, ...)
            return _refuse("not an update", f"{type(exc).__name__} in de_json")
        if update is None:
            return _refuse("not an update", "empty")
        # processed inline: stateless, so any replica can take any update
        await app.process_update(update)
        return Response(status_code=200)

    return Route(PATH, receive, methods=["POST"])


def _refuse(error: str, reason: str) -> Response:
    log.warning("telegram webhook refused an update (400): %s", reason)
    return JSONResponse({"ok": False, "error": error}, status_code=400)
