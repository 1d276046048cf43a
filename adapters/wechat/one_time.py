"""One-time subscription messages (一次性订阅消息): a reminder outside the window, allowed per talk.

With ``WECHAT_SUBSCRIBE_TEMPLATE`` set, the answer to a new star on WeChat carries a link to WeChat's
confirm page for that talk (scene = the talk's id). WeChat sends the person's browser back to
``/wechat/subscribed`` with their OpenID, the scene and ``action=confirm``; the ``reserved`` value we
put in the link (an HMAC of OpenID and scene under the AppSecret) proves the link was ours for that
person, so a forged return is refused (403) and grants nothing. Each grant allows one message: a
reminder of that talk due outside the window uses it, sent with ``/cgi-bin/message/template/subscribe``
(title at most 15 characters, content at most 200).
Docs: developers.weixin.qq.com/doc/service/api/notify/subscribe/api_templatesubscribe.html,
developers.weixin.qq.com/doc/service/en/guide/product/message/One-time_subscription_info.html
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from html import escape
from urllib.parse import urlencode

import aiohttp
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from adapters.web.language import page_language
from adapters.wechat.api import ApiError, WeChatApi
from bot.chat.messages import Reply
from bot.delivery.sender import SendResult
from bot.i18n import t
from bot.platforms import PlatformState

PLATFORM = "wechat"
CONFIRM = "https://mp.weixin.qq.com/mp/subscribemsg"
SEND = "/cgi-bin/message/template/subscribe"
RETURN_PATH = "/wechat/subscribed"
MAX_SCENE = 10_000  # scene is an integer 0-10 000
TITLE_CHARS, CONTENT_CHARS = 15, 200
REFUSED = {43101}  # the person allowed no such message (or it was used)


class OneTime:
    """The offer link, the return page, and sending with a grant."""

    def __init__(
        self, api: WeChatApi, state: PlatformState, secret: str, template: str, public_url: str, *, web: bool
    ) -> None:
        self.api = api
        self._state = state
        self._secret = secret.encode()
        self.template = template
        self._public = public_url.rstrip("/")
        self._web = web

    def _reserved(self, openid: str, scene: int) -> str:
        return hmac.new(self._secret, f"{openid}:{scene}".encode(), hashlib.sha256).hexdigest()[:32]

    def offer(self, openid: str, talk_id: int, lang: str) -> tuple[str, str] | None:
        """The label and address of the link that asks WeChat for one reminder of ``talk_id``."""
        if not 0 <= talk_id <= MAX_SCENE:
            return None
        query = {
            "action": "get_confirm",
            "appid": self.api.app_id,
            "scene": str(talk_id),
            "template_id": self.template,
            "redirect_url": self._public + RETURN_PATH,
            "reserved": self._reserved(openid, talk_id),
        }
        return t(lang, "wechat.one_time_offer", id=talk_id), f"{CONFIRM}?{urlencode(query)}#wechat_redirect"

    def routes(self) -> list[BaseRoute]:
        """``GET /wechat/subscribed``: where WeChat sends the person back after they chose."""
        return [Route(RETURN_PATH, self.returned, methods=["GET"])]

    async def returned(self, request: HttpRequest) -> HTMLResponse:
        """Record the grant if the link was ours for this person and they allowed it."""
        query = request.query_params
        lang = page_language(None, {}, request.headers.get("accept-language"))
        openid, scene = query.get("openid", ""), query.get("scene", "")
        ok = scene.isascii() and scene.isdigit() and len(scene) <= 5
        if not (openid and ok and query.get("template_id") == self.template):
            return _page(lang, t(lang, "wechat.one_time_bad"), 400)
        given = query.get("reserved", "").encode()
        if not hmac.compare_digest(given, self._reserved(openid, int(scene)).encode()):
            return _page(lang, t(lang, "wechat.one_time_bad"), 403)
        if query.get("action") != "confirm":
            return _page(lang, t(lang, "wechat.one_time_declined", id=int(scene)))
        await asyncio.to_thread(self._state.grant, PLATFORM, openid, f"talk:{int(scene)}")
        return _page(lang, t(lang, "wechat.one_time_allowed", id=int(scene)))

    async def send(self, openid: str, reply: Reply) -> SendResult | None:
        """Send ``reply`` with the person's grant for its talk; None if they gave none (nothing used)."""
        topic = reply.about or ""
        if not topic.startswith("talk:") or not topic[5:].isdigit():
            return None
        if not await asyncio.to_thread(self._state.use_grant, PLATFORM, openid, topic):
            return None
        payload: dict[str, object] = {
            "touser": openid,
            "template_id": self.template,
            "scene": topic[5:],
            "title": t(reply.lang, "wechat.one_time_title")[:TITLE_CHARS],
            "data": {"content": {"value": _content(reply)}},
        }
        if self._web:
            payload["url"] = f"{self._public}/talks/{topic[5:]}"
        try:
            await self.api.call(SEND, payload)
        except ApiError as err:
            if err.errcode in REFUSED:
                return SendResult.unreachable(f"{err.errcode} {err.errmsg} (one-time subscription)")
            await asyncio.to_thread(self._state.give_back_grant, PLATFORM, openid, topic)
            if err.errcode == -1 or (err.errcode is None and err.status >= 500):
                return SendResult.retry_soon(str(err))
            return SendResult.failed(f"{err.errcode} {err.errmsg} (one-time subscription)")
        except (TimeoutError, OSError, aiohttp.ClientError) as err:  # not sent (or unknown): the grant stays
            await asyncio.to_thread(self._state.give_back_grant, PLATFORM, openid, topic)
            return SendResult.retry_soon(f"network: {type(err).__name__}")
        return SendResult.sent()


def _content(reply: Reply) -> str:
    """The reply's text in at most :data:`CONTENT_CHARS` characters (the talk's page has the rest)."""
    text = reply.plain_text.strip()
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…"


def _page(lang: str, text: str, status: int = 200) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="{escape(lang)}"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>confbot</title><p>{escape(text)}</p></html>"
    )
    return HTMLResponse(body, status_code=status)
