"""Signing organizers in to the desk without passwords: a one-time link from the chat, then a session.

``/desk`` gives an organizer a link holding a fresh token (192 bits), usable once within
:data:`LINK_TTL`; redeeming it (a POST from the page the link opens, so that a chat app's link preview
cannot use it up) makes a session of :data:`SESSION_TTL` with its own CSRF token. The link is taken
with one conditional ``UPDATE`` (``used_at IS NULL``), so two browsers racing for it get one session.
Sessions end when they expire or are signed out; each request re-checks that the account still
organizes (``Core.is_organizer``), so removing someone from ``CONFBOT_ORGANIZERS`` ends their desk.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.features.personal import tokens
from bot.storage.db import rowcount
from bot.storage.models import DeskLink, DeskSession

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
TOKEN_BYTES = 24
DESK_CHAT = "desk"  # the chat id a desk page's requests come from
LINK_PATH = "/desk/signin/{token}"


@dataclass(frozen=True)
class SignedIn:
    """An organizer's desk session: who (``platform:user_id``), and the token their forms repeat."""

    account: str
    csrf: str
    expires_at: datetime

    @property
    def address(self) -> Address:
        """Where the desk's requests come from: the organizer's own account, in the desk's chat."""
        return address_of(self.account)


def address_of(account: str) -> Address:
    """The organizer ``platform:user_id`` names, in the desk's chat."""
    platform, _, user_id = account.partition(":")
    return Address(platform, user_id, DESK_CHAT)


def account_of(who: Address) -> str:
    """``platform:user_id``: how the desk and the audit log name an organizer."""
    return f"{who.platform}:{who.user_id}"


def issue_link(session: Session, who: Address, now: datetime) -> str:
    """A fresh one-time sign-in token for ``who``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(DeskLink(token=token, account=account_of(who), created_at=now, expires_at=now + LINK_TTL))
    session.flush()
    return token


def link_account(session: Session, token: str, now: datetime) -> str | None:
    """Whose unused, unexpired link ``token`` is (to show before it is used), or None."""
    if not tokens.well_formed(token):
        return None
    link = session.get(DeskLink, token)
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link.account


def redeem(session: Session, token: str, now: datetime) -> tuple[str, SignedIn] | None:
    """Use the link once: a new session (its cookie token and what it holds), or None for a link that is
    unknown, expired or already used."""
    account = link_account(session, token, now)
    if account is None:
        return None
    taken = session.execute(
        update(DeskLink)
        .where(DeskLink.token == token, DeskLink.used_at.is_(None), DeskLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(taken) != 1:  # another browser used it first
        return None
    cookie, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + SESSION_TTL
    session.add(DeskSession(token=cookie, account=account, csrf=csrf, created_at=now, expires_at=expires))
    session.flush()
    return cookie, SignedIn(account, csrf, expires)


def signed_in(session: Session, token: str, now: datetime) -> SignedIn | None:
    """The live session ``token`` names, or None (unknown, expired or signed out)."""
    if not tokens.well_formed(token):
        return None
    row = session.scalar(
        select(DeskSession).where(
            DeskSession.token == token, DeskSession.ended_at.is_(None), DeskSession.expires_at > now
        )
    )
    return SignedIn(row.account, row.csrf, row.expires_at) if row is not None else None


def sign_out(session: Session, token: str, now: datetime) -> bool:
    """End the session; False if it was not live."""
    ended = session.execute(
        update(DeskSession)
        .where(DeskSession.token == token, DeskSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(ended) == 1


def link_url(public_url: str, token: str) -> str:
    """The sign-in link's address."""
    return public_url.rstrip("/") + LINK_PATH.format(token=token)
