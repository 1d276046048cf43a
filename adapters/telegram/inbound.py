"""What a webhook update must look like before python-telegram-bot sees it.

PTB's ``Update.de_json`` trusts its input: a list or an object without ``update_id`` raises, and a
string where a number is due (``"chat": {"id": "abc"}``) passes through to the handlers. The fields
the handlers and PTB's filters read are checked here with Telegram's types; everything else is
left to ``de_json``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from telegram import Update

# every kind of update Telegram sends is an object
UPDATE_KINDS = frozenset(Update.ALL_TYPES)


class _Shape(BaseModel):
    """Strict types (no "5" for 5, no true for 1); fields not named here are not looked at (``ignore``: the
    model is only a check, nothing reads it, and keeping the extras cost a fifth of its time)."""

    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)


class _User(_Shape):
    id: int
    is_bot: bool
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class _Chat(_Shape):
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool | None = None


class _Entity(_Shape):
    type: str
    offset: int
    length: int


class _PhotoSize(_Shape):
    file_id: str
    file_unique_id: str
    width: int
    height: int


class _Document(_Shape):
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None


class _Message(_Shape):
    message_id: int
    date: int
    chat: _Chat
    from_user: _User | None = Field(default=None, alias="from")
    sender_chat: _Chat | None = None
    message_thread_id: int | None = None
    is_topic_message: bool | None = None
    text: str | None = None
    entities: list[_Entity] | None = None
    caption: str | None = None
    photo: list[_PhotoSize] | None = None
    document: _Document | None = None


class _CallbackQuery(_Shape):
    id: str
    from_user: _User = Field(alias="from")
    chat_instance: str
    data: str | None = None
    inline_message_id: str | None = None
    message: _Message | None = None  # an inaccessible message has the same fields, with date 0


class _InlineQuery(_Shape):
    id: str
    from_user: _User = Field(alias="from")
    query: str
    offset: str
    chat_type: str | None = None


class _Update(_Shape):
    update_id: int
    message: _Message | None = None
    edited_message: _Message | None = None
    channel_post: _Message | None = None
    edited_channel_post: _Message | None = None
    callback_query: _CallbackQuery | None = None
    inline_query: _InlineQuery | None = None


def problem(data: Any) -> str | None:
    """Why ``data`` is not an update the bot can take, or None. The reason never quotes a value."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    for kind in UPDATE_KINDS & data.keys():
        if data[kind] is not None and not isinstance(data[kind], dict):
            return f"{kind}: not an object"
    try:
        _Update.model_validate(data)
    except ValidationError as err:
        return ", ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in err.errors()[:3])
    return None


def sender_id(data: object) -> int | None:
    """The user id of a message's or a button press's sender, read from the raw update (before it is
    checked or parsed, so that a person over their inbound limit costs no more); None for other kinds."""
    if not isinstance(data, dict):
        return None
    for kind in ("message", "callback_query"):
        part = data.get(kind)
        sender = part.get("from") if isinstance(part, dict) else None
        user_id = sender.get("id") if isinstance(sender, dict) else None
        if type(user_id) is int:
            return user_id
    return None


def in_private_chat(data: object) -> bool:
    """Whether a raw update's message or button press is in a private chat (not a group or channel)."""
    if not isinstance(data, dict):
        return False
    message = data.get("message")
    if not isinstance(message, dict):
        query = data.get("callback_query")
        message = query.get("message") if isinstance(query, dict) else None
    chat = message.get("chat") if isinstance(message, dict) else None
    return isinstance(chat, dict) and chat.get("type") == "private"
