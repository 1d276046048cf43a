"""Personal web pages (``/me/<token>``): an attendee's agenda, stars, questions and ratings in a browser.

Whoever holds a page's unguessable token (:mod:`~bot.features.personal.tokens`) acts there as its user:
an attendee without any chat app gets a user of their own on the :data:`~bot.users.WEB` platform ("make
my agenda"), and a chat user gets the page of their own account (``/web``, the Telegram Mini App), so a
star on the web is a subscription in the chat and the reverse. What the page does goes through the chat
commands themselves (:meth:`bot.core.Core.web_run`), from :data:`WEB_CHAT`, so a prompt a page's
request leaves never waits in the person's chat.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.features.personal import tokens
from bot.storage.models import User, WebAgenda
from bot.users import WEB, add_once

WEB_CHAT = "web"  # the chat id a page's requests come from
PAGE_PATH = "/me/{token}"
# the chat actions a page may run, with their arguments: star, unstar, vote, rate, a poll vote, ask
ACTIONS = re.compile(
    r"(?:sub|unsub|vote) \d{1,9}|rate \d{1,9} [1-5]|poll_vote \d{1,9} \d{1,2}|ask \d{1,9} \S.*", re.DOTALL
)


def new_attendee(session: Session, now: datetime, lang: str, lead_minutes: int) -> User:
    """A user of their own for an attendee who has only the web page."""
    user_id = secrets.token_hex(8)
    user = User(
        platform=WEB,
        platform_user_id=user_id,
        chat_id=user_id,
        thread=None,
        display_name=None,
        language=lang,
        language_set=False,
        first_seen=now,
        last_seen=now,
        active=True,
        reminders_on=True,  # the calendar feed's alarms
        lead_minutes=lead_minutes,
    )
    return add_once(session, user)


def page_token(session: Session, user: User, now: datetime) -> str:
    """The token of the user's page, made on first use."""
    return tokens.token_for(session, WebAgenda, user, now)


def reset(session: Session, user: User, now: datetime) -> str:
    """A new token for the user's page: the old address stops working."""
    return tokens.reset_token(session, WebAgenda, user, now)


def owner(session: Session, token: str) -> User | None:
    """The active user whose page ``token`` opens, or None."""
    return tokens.holder(session, WebAgenda, token)


def address_of(user: User) -> Address:
    """Where a page's request comes from: the user's own account, in the web's chat."""
    return Address(user.platform, user.platform_user_id, WEB_CHAT)


def page_url(base: str, token: str) -> str:
    """The page's address under ``base`` (the public URL)."""
    return base.rstrip("/") + PAGE_PATH.format(token=token)
