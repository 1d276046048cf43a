"""The shapes the web pages' parts use of each other (Protocols), so that no part imports the one that
registers it: the site's frame (:class:`Pages`, ``adapters.web.WebPages``) and the organizer desk's
(:class:`DeskHost`, ``adapters.web.desk.Desk``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from bot.core import Core, DeskSignedIn
    from bot.settings import Settings


class Pages(Protocol):
    """What the personal pages use of the site (``adapters.web.WebPages``): its core and page frame."""

    core: Core
    settings: Settings

    def lang_of(self, request: Request) -> str: ...

    def page(
        self,
        request: Request,
        lang: str,
        template: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> Response: ...

    def missing(self, request: Request, lang: str, message: str | None = None) -> Response: ...

    def live(self) -> dict[str, Any]: ...


class DeskHost(Protocol):
    """What a desk page uses of :class:`adapters.web.desk.Desk` (which imports the pages, so they name
    it by its shape: the adapters have no import cycle)."""

    pages: Pages
    core: Core

    async def signed(self, request: Request) -> DeskSignedIn | None: ...

    async def form(self, request: Request) -> tuple[DeskSignedIn, dict[str, str]] | None: ...

    def frame(
        self, request: Request, template: str, signed: DeskSignedIn, status: int = 200, **values: Any
    ) -> Response: ...

    def refused(self, request: Request, key: str = "desk.signed_out", status: int = 403) -> Response: ...
