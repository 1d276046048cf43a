"""Speakers linked to their chat accounts (``CONFBOT_SPEAKERS=chen=telegram:123,chen=slack:U0ABC``).

A linked speaker gets their own talks' ratings and comments when the event ends, and moderates
the questions to their talks. A speaker may have several accounts (one entry each); an account
may belong to several speakers (a shared organizer account, say).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.chat.messages import Address
from bot.programme.content.schema import Talk

ENTRY = re.compile(r"^(?P<speaker>[a-z0-9][a-z0-9_-]*)=(?P<platform>[a-z][a-z0-9_]*):(?P<user>\S+)$")


def check_entry(entry: str) -> str:
    """``entry`` if it reads ``speaker_id=platform:user_id``; else a ValueError naming it."""
    if not ENTRY.match(entry):
        raise ValueError(
            f"CONFBOT_SPEAKERS entry {entry!r} is not speaker_id=platform:user_id (e.g. chen=telegram:123)"
        )
    return entry


@dataclass(frozen=True)
class SpeakerLinks:
    """Which chat accounts (``platform:user_id``) belong to which speakers."""

    by_account: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> SpeakerLinks:
        """From ``speaker_id=platform:user_id`` entries (checked with :func:`check_entry`)."""
        links: dict[str, set[str]] = {}
        for entry in entries:
            match = ENTRY.match(check_entry(entry.strip()))
            assert match is not None
            links.setdefault(f"{match['platform']}:{match['user']}", set()).add(match["speaker"])
        return cls({account: frozenset(ids) for account, ids in links.items()})

    def speakers_of(self, address: Address) -> frozenset[str]:
        """The speaker ids this account is linked to (empty for everybody else)."""
        return self.by_account.get(f"{address.platform}:{address.user_id}", frozenset())

    def speaks_at(self, address: Address, talk: Talk) -> bool:
        """Whether this account belongs to one of ``talk``'s speakers."""
        return bool(self.speakers_of(address) & set(talk.speakers))

    def accounts(self) -> list[tuple[str, str, str]]:
        """Every link as ``(speaker_id, platform, user_id)``, sorted."""
        out = []
        for account, ids in self.by_account.items():
            platform, _, user_id = account.partition(":")
            out += [(sid, platform, user_id) for sid in ids]
        return sorted(out)
