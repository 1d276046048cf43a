"""What a signed request to /slack/events must look like before Bolt routes it.

Bolt parses the body before it checks the signature, and its middleware and our listeners index
the payload as Slack documents it. A request that is not UTF-8, not JSON where JSON is due, or
whose fields Bolt or a listener reads have the wrong type is refused here with a short reason,
instead of failing inside Bolt as a 500 with a traceback.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request
from slack_bolt.async_app import AsyncBoltRequest
from starlette.requests import Request

Object = dict[str, Any]


class _Shape(BaseModel):
    """Strict types (no "5" for 5, no 5 for "5"); fields not named here pass untouched."""

    model_config = ConfigDict(strict=True, extra="allow")


class _Envelope(_Shape):
    """Any body: the top-level fields Bolt's context and authorization read."""

    type: str | None = None
    team: str | Object | None = None
    enterprise: str | Object | None = None
    user: str | Object | None = None
    channel: str | Object | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    event: Object | None = None
    authorizations: list[Object] | None = None
    actions: list[Object] | None = None
    response_urls: list[Object] | None = None
    view: Object | None = None
    container: Object | None = None
    message: Object | None = None
    function_data: Object | None = None


class _File(_Shape):
    """A file shared with a message, as the listener reads it."""

    id: str
    name: str | None = None
    title: str | None = None
    mimetype: str | None = None
    permalink: str | None = None


class _MessageEvent(_Shape):
    """A message event as the message listener reads it."""

    type: str
    channel: str
    user: str | None = None
    text: str = ""
    channel_type: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    files: list[_File] | None = None

    @model_validator(mode="after")
    def _someone_wrote_it(self) -> _MessageEvent:
        if self.user is None and self.subtype is None and self.bot_id is None:
            raise ValueError("a plain message names its user")
        return self


class _HomeOpened(_Shape):
    type: str
    user: str
    tab: str | None = None


class _EventCallback(_Shape):
    event: Object
    event_id: str | None = None


class _Id(_Shape):
    id: str


class _Option(_Shape):
    value: str


class _Action(_Shape):
    action_id: str
    block_id: str | None = None
    value: str = ""
    selected_option: _Option | None = None


class _View(_Shape):
    type: str | None = None


class _BlockActions(_Shape):
    """A button press or a menu choice, as Bolt's matcher and the button listener read it."""

    user: _Id
    actions: list[_Action] = Field(min_length=1)
    channel: _Id | None = None
    team: _Id | None = None
    view: _View | None = None
    response_url: str | None = None


class _SlashCommand(_Shape):
    command: str
    user_id: str = Field(min_length=1)


class _UrlVerification(_Shape):
    challenge: str


_EVENTS: dict[str, type[_Shape]] = {"message": _MessageEvent, "app_home_opened": _HomeOpened}
_KINDS: dict[str, type[_Shape]] = {
    "event_callback": _EventCallback,
    "block_actions": _BlockActions,
    "url_verification": _UrlVerification,
}


def parse(request: Request, raw: bytes) -> AsyncBoltRequest | str:
    """Bolt's request for ``raw``, or why it is malformed (a reason without the payload's text)."""
    try:
        # Bolt's own parsing (UTF-8, JSON or form, then the context); pure, so any failure is the input's
        bolt_request = to_async_bolt_request(request, raw)
    except Exception as exc:  # JSONDecodeError, UnicodeDecodeError, RecursionError, a wrong shape
        return f"unparsable body ({type(exc).__name__})"
    body: object = bolt_request.body
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    kind = _SlashCommand if "command" in body else _KINDS.get(str(body.get("type")))
    event = body.get("event")
    checks: list[tuple[str, type[_Shape], object]] = [("", _Envelope, body)]
    if kind is not None:
        checks.append(("", kind, body))
    if kind is _EventCallback and isinstance(event, dict) and event.get("type") in _EVENTS:
        checks.append(("event.", _EVENTS[str(event["type"])], event))
    for prefix, shape, data in checks:
        try:
            shape.model_validate(data)
        except ValidationError as err:
            return describe(err, prefix)
    return bolt_request


def describe(err: ValidationError, prefix: str = "") -> str:
    """Where and what, never the value (it may be a user's text): ``user.id: string_type``."""
    where = [(prefix + ".".join(map(str, e["loc"]))).rstrip(".") or "body" for e in err.errors()]
    return ", ".join(f"{place}: {e['type']}" for place, e in list(zip(where, err.errors(), strict=True))[:3])
