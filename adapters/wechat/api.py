"""WeChat's HTTP API for one service account: the shared access token and the calls the bot makes.

Every call carries the account's access token (``/cgi-bin/token``, valid 7 200 s). Fetching a new
token retires the old one after a short overlap and fetches are counted per day, so replicas
share one token through the database (``bot/storage/credentials.py``, via ``bot/platforms.py``):
one replica fetches under a lease, the others wait for it. A call WeChat answers 40001 / 40014 / 42001 (token invalid or
expired) makes one refresh and one retry.
Docs: developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.platforms import Credential, PlatformState

log = logging.getLogger(__name__)
TOKEN_REFUSED = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
LEASE = timedelta(seconds=20)  # one replica's time to fetch a token
WAIT = 0.1  # seconds between looks while another replica fetches
TIMEOUT = aiohttp.ClientTimeout(total=10)


class ApiError(Exception):
    """WeChat answered with a non-zero ``errcode`` (or not with its JSON at all: ``errcode`` None)."""

    def __init__(self, errcode: int | None, errmsg: str, status: int = 200) -> None:
        super().__init__(f"{errcode} {errmsg}" if errcode is not None else f"HTTP {status}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.status = status


class WeChatApi:
    """Calls to ``WECHAT_API_URL`` for the account ``app_id``, with the replicas' shared token."""

    def __init__(self, base_url: str, app_id: str, secret: str, state: PlatformState) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._secret = secret
        self._state = state
        self._clock = state.clock
        self._name = f"wechat:{app_id}"
        self._known: Credential | None = None  # the last token read or fetched here
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0  # tokens this process fetched (the tests count them)

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def token(self, stale: str | None = None) -> str:
        """A usable access token, not ``stale`` (one WeChat just refused); fetched by this replica
        only if no other is fetching one."""
        known = self._known
        now = self._clock.now()
        if known is not None and known.usable(now) and known.value != stale:
            return known.value
        give_up = asyncio.get_running_loop().time() + LEASE.total_seconds()
        while True:
            now = self._clock.now()
            stored = await asyncio.to_thread(self._state.credential, self._name)
            if stored is not None and stored.usable(now) and stored.value != stale:
                self._known = stored
                return stored.value
            if await asyncio.to_thread(self._state.claim_credential, self._name, LEASE, stale):
                return await self._fetch()
            if asyncio.get_running_loop().time() > give_up:
                raise ApiError(None, "another replica's token refresh did not finish")
            await asyncio.sleep(WAIT)  # another replica holds the lease: its token comes soon

    async def _fetch(self) -> str:
        """``GET /cgi-bin/token`` and store the answer for every replica (the lease ends either way)."""
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}
        try:
            answer = await self._request("GET", "/cgi-bin/token", params=params)
            if not isinstance(answer.get("access_token"), str):
                raise ApiError(None, "no access_token in the answer")
            value, lasts = str(answer["access_token"]), int(answer.get("expires_in", 7200))
        except BaseException:
            await asyncio.to_thread(self._state.release_credential, self._name)
            raise
        expires_at = self._clock.now() + timedelta(seconds=lasts)
        await asyncio.to_thread(self._state.store_credential, self._name, value, expires_at)
        self._known = Credential(value, expires_at)
        self.fetches += 1
        log.info("wechat access token refreshed (valid %d s)", lasts)
        return value

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``payload`` as JSON to ``path`` with the access token; one refresh and retry if WeChat
        refuses the token. Raises :class:`ApiError` for any other non-zero ``errcode``."""
        token = await self.token()
        try:
            return await self._request("POST", path, params={"access_token": token}, json=payload)
        except ApiError as err:
            if err.errcode not in TOKEN_REFUSED:
                raise
            log.info("wechat refused the access token (%s): refreshing it once", err.errcode)
        token = await self.token(stale=token)
        return await self._request("POST", path, params={"access_token": token}, json=payload)

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self._http().request(method, self.base_url + path, **kwargs) as response:
            body = await response.text()
            if response.status >= 400:
                raise ApiError(None, body[:200], response.status)
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                raise ApiError(None, f"not JSON: {body[:100]!r}", response.status) from None
        if not isinstance(answer, dict):
            raise ApiError(None, "not a JSON object", response.status)
        errcode = answer.get("errcode", 0)
        if errcode not in (0, None):
            raise ApiError(int(errcode), str(answer.get("errmsg", "")))
        return answer

    def expires_at(self) -> datetime | None:
        """When the token this process knows expires (for logs and tests)."""
        return self._known.expires_at if self._known else None
