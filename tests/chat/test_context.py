"""A command handler runs on a :class:`Context` over any :class:`~bot.host.Host`: no core needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import features, users
from bot.chat.messages import Address, Request
from bot.chat.registry import Context, lookup
from bot.clock import FakeClock
from bot.delivery.sender import SendRates
from bot.programme.content.programme import Programme
from bot.programme.search import SearchIndex
from bot.programme.speaker_links import SpeakerLinks
from bot.settings import Settings
from bot.storage.db import Database

READER = Address("console", "reader", "reader")


@dataclass
class SmallHost:
    """Just what the protocol asks: no core, no adapters, no runtime."""

    settings: Settings
    db: Database
    clock: FakeClock
    programme: Programme
    send_rates: SendRates = field(default_factory=SendRates)
    speaker_links: SpeakerLinks = field(default_factory=SpeakerLinks)
    organizers: set[Address] = field(default_factory=set)
    exclusive: threading.RLock = field(default_factory=threading.RLock)

    @property
    def search(self) -> SearchIndex:
        return SearchIndex(self.programme)

    def replace_programme(self, programme: Programme) -> None:
        self.programme = programme

    def is_organizer(self, address: Address) -> bool:
        return address in self.organizers


@pytest.fixture
def host(tmp_path: Path, settings: Settings, programme: Programme, clock: FakeClock) -> Iterator[SmallHost]:
    db = Database(f"sqlite:///{tmp_path / 'host.db'}")
    db.migrate()
    yield SmallHost(settings, db, clock, programme)
    db.dispose()


def _run(host: SmallHost, command: str, args: str) -> str:
    features.load()
    handler = lookup(command)
    assert handler is not None
    with host.db.session() as session:
        request = Request(READER, text=f"/{command} {args}", locale="en")
        user, _, _ = users.touch(session, request, host.clock.now(), host.settings.default_lead_minutes)
        ctx = Context(host, request, user, session, "en", args, False)
        reply = handler.handler(ctx)
        return (reply[0] if isinstance(reply, list) else reply).plain_text


def test_a_talk_card_is_answered_from_the_hosts_programme(host: SmallHost, programme: Programme) -> None:
    talk = programme.talk(2)
    assert talk is not None
    text = _run(host, "talk", "2")
    assert f"#{talk.id}" in text and (talk.title_en or talk.title) in text


def test_an_organizer_command_asks_the_host_who_organizes(host: SmallHost) -> None:
    host.organizers.add(READER)
    assert "/broadcast" in _run(host, "help", "")  # organizers see their section of /help
    host.organizers.clear()
    assert "/broadcast" not in _run(host, "help", "")
