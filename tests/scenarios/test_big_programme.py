"""A FOSDEM-sized programme (1 000 talks, 40 rooms, 80 tracks, long ids and names) on every platform:
every listing command is answered, the platform's fake refuses nothing, and its pages, followed with
their "Next" buttons, hold every room, track and talk they list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.programme import queries
from bot.programme.content.programme import Programme
from bot.settings import Settings
from tests.scenarios.big_programme import TIMEZONE, fosdem_sized, room_id, track_id
from tests.scenarios.driver import Platform, Seen, SlackPlatform, TelegramPlatform, WeChatPlatform

NEXT = ("Next ›", "More ›")  # a listing's next page, and search's
TALK_ID = re.compile(r"#(\d+)\b")


@pytest.fixture(scope="module")
def big() -> Programme:
    """Built once for the module."""
    return fosdem_sized()


@pytest.fixture
def programme(big: Programme) -> Programme:
    """The conftest's core gets the big programme."""
    return big


@pytest.fixture
def settings() -> Settings:
    """The inbound limit off: one person pages through dozens of pages here in a frozen instant."""
    return Settings(_env_file=None, organizers=["console:organizer"], flood_burst=0)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    """Day 1, 11:10 in Brussels: a talk runs in every room."""
    return FakeClock(datetime(2027, 2, 6, 11, 10, tzinfo=ZoneInfo(TIMEZONE)))


def refused(platform: Platform) -> list[str]:
    """Every call the platform's fake refused."""
    if isinstance(platform, TelegramPlatform):
        return [f"{m}: {p.get('_status')}" for m, p in platform.fake.calls if "_status" in p]
    if isinstance(platform, WeChatPlatform):
        passive = [f"passive reply: {a.problem}" for _, a in platform.fake.pushes if a.user_sees_error]
        sends = platform.fake.calls_to("/cgi-bin/message/custom/send")
        return passive + ["custom/send refused"] * (len(sends) - len(platform.fake.sent_payloads))
    assert isinstance(platform, SlackPlatform)
    sends = ("chat.postMessage", "response", "views.publish")
    return [m for m, p in platform.fake.calls if m in sends and not p.get("_ok")]


@pytest.fixture(autouse=True)
def nothing_refused(platform: Platform) -> Iterator[None]:
    """After each test: the fake took every message the bot sent."""
    yield
    assert refused(platform) == []


async def pages(platform: Platform, person: str, command: str) -> list[Seen]:
    """The answer to ``command`` and every page after it, pressing "Next" (or "More") until there is none."""
    seen = [await platform.send(person, command)]
    while following := [a for a, label in zip(seen[-1].actions, seen[-1].labels, strict=True) if label in NEXT]:
        assert len(seen) < 100, "the pages never end"
        seen.append(await platform.press(person, following[0]))
    for page in seen:
        assert page.text and platform.well_formed(page)
        assert all(0 < len(a.encode()) <= 64 for a in page.actions), page.actions
    return seen


def talk_ids(seen: list[Seen]) -> set[int]:
    return {int(n) for page in seen for n in TALK_ID.findall(page.text)}


async def test_rooms_and_tracks_list_every_one_and_their_buttons_open_them(platform: Platform, big: Programme) -> None:
    rooms = await pages(platform, "alice", "/rooms")
    assert all(len(p.actions) <= 48 for p in rooms)  # one button a room, far below 100
    text = "\n".join(p.text for p in rooms)
    assert all(room.name_en and room.name_en in text for room in big.conference.rooms)
    tracks = await pages(platform, "alice", "/tracks")
    text = "\n".join(p.text for p in tracks)
    assert all(track.name_en and track.name_en in text for track in big.conference.tracks)
    last_track = [a for a in tracks[-1].actions if a.startswith("track ")][-1]
    assert last_track.startswith("track ~")  # a short reference: the id is too long for a button
    opened = await platform.press("alice", last_track)
    assert opened.text.startswith("🏷 ") and "79" in opened.text.splitlines()[0]  # track 79, by its short reference


async def test_a_room_and_a_track_by_their_long_ids_list_all_their_talks(platform: Platform, big: Programme) -> None:
    room = room_id(7)
    assert len(f"room {room} 2".encode()) > 64
    wanted = {t.id for t in queries.by_room(big, room)}
    assert wanted <= talk_ids(await pages(platform, "bob", f"/room {room}"))
    track = track_id(63)
    assert len(f"track {track} 2".encode()) > 64
    wanted = {t.id for t in queries.by_track(big, track)}
    assert talk_ids(await pages(platform, "bob", f"/track {track}")) == wanted


async def test_now_and_next_name_every_room_and_talk(platform: Platform, big: Programme, core: Core) -> None:
    now = await pages(platform, "carol", "/now")
    assert len(now) > 1 and all(page.call for page in now)
    text = "\n".join(p.text for p in now)
    assert all(room.name_en and room.name_en in text for room in big.conference.rooms)
    running = {i.id for i in queries.running(big, core.clock.now()) if hasattr(i, "track")}
    assert len(running) == 40 and running <= talk_ids(now)
    coming = {i.id for i in queries.upcoming(big, core.clock.now()) if hasattr(i, "track")}
    assert len(coming) == 40 and talk_ids(await pages(platform, "carol", "/next")) == coming


async def test_the_agenda_pages_hold_every_talk_of_each_day(platform: Platform, big: Programme) -> None:
    everything = await pages(platform, "dan", "/agenda all")
    assert len(everything) > 20 and talk_ids(everything) == {t.id for t in big.talks}
    day2 = await pages(platform, "dan", "/agenda 2")
    assert talk_ids(day2) == set(range(501, 1001))


async def test_search_my_stats_and_questions(platform: Platform, big: Programme, core: Core) -> None:
    hits = {h.talk.id for h in core.search.search("kubernetes", limit=40) if h.talk is not None}
    found = await pages(platform, "erin", "/search kubernetes")
    assert len(found) > 1 and hits <= talk_ids(found)
    long_query = "kubernetes in practice " * 3
    more = await platform.send("erin", f"/search {long_query}")
    assert "More results: send /search #2" in more.text  # too long for a button: it says what to send
    for first in range(1, 121, 20):
        await platform.send("erin", "/subscribe " + " ".join(str(i) for i in range(first, first + 20)))
    mine = await pages(platform, "erin", "/my")
    assert len(mine) > 1 and talk_ids(mine) >= set(range(1, 121))
    platform.make_organizer("frank")
    stats = await pages(platform, "frank", "/stats")  # every talk by stars, paged like the other lists
    assert len(stats) > 1 and "#1" in stats[0].text and talk_ids(stats) >= set(range(1, 121))  # every starred one
    for n in range(25):  # 25 people ask the running talk #161 a question each
        asked = core.handle(Request(Address("console", f"q{n}", f"q{n}"), text=f"/ask 161 Question number {n}?"))
        assert "#161" in asked[0].plain_text
    questions = await pages(platform, "erin", "/questions 161")
    text = "\n".join(p.text for p in questions)
    assert len(questions) == 3 and all(f"Question number {n}?" in text for n in range(25))


async def test_the_home_shows_the_first_page_of_now_and_says_there_are_more(platform: Platform, core: Core) -> None:
    home = core.home(Address("slack", "UHOME", "DHOME"), "en-US")
    actions = [b.action for row in home.buttons for b in row]
    assert "page 1/" in home.plain_text and not any(a in ("now 2", "my 2") for a in actions)
