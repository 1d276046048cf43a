"""A FOSDEM-sized programme built in code: 1 000 talks over two days in 40 rooms and 80 tracks whose ids
and names are long (a button naming one by its id would pass Telegram's 64 bytes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Conference, ContentFile, Room, Speaker, Talk, Track

TOPICS = [
    "Rust", "Go", "PostgreSQL", "Kubernetes", "eBPF", "RISC-V", "Linux kernel", "Firefox", "LibreOffice", "Python",
    "WebAssembly", "OpenStreetMap", "GNOME", "KDE", "Debian", "Nix", "LLVM", "Matrix", "GStreamer", "FreeBSD",
]  # fmt: skip
TALKS, ROOMS, TRACKS, DAYS = 1000, 40, 80, 2
SLOT_MINUTES = 30
FIRST = datetime(2027, 2, 6, 9, 0)
TIMEZONE = "Europe/Brussels"


def room_id(i: int) -> str:
    """A long room id (FOSDEM's are building, floor, number and a name): over 64 bytes in a button."""
    return f"ulb-campus-solbosch-building-{'UD'[i % 2]}-level-{i % 3}-room-{i:02d}-devroom-and-auditorium"


def track_id(i: int) -> str:
    """A long track id, over 64 bytes once a command word and a page are added."""
    topic = TOPICS[i % len(TOPICS)].lower().replace(" ", "-")
    return f"free-and-open-source-software-community-{topic}-devroom-track-{i:02d}"


def room_name(i: int) -> str:
    return f"{TOPICS[i % len(TOPICS)]} room {i:02d}, building {'UD'[i % 2]}, level {i % 3} (Solbosch campus)"


def track_name(i: int) -> str:
    return f"{TOPICS[i % len(TOPICS)]} track {i:02d}: free and open source software community devroom"


def fosdem_sized() -> Programme:
    """The programme: each room holds talks back to back from 09:00, every day."""
    rooms = [Room(id=room_id(i), name=room_name(i), name_en=room_name(i)) for i in range(ROOMS)]
    tracks = [Track(id=track_id(i), name=track_name(i), name_en=track_name(i)) for i in range(TRACKS)]
    speakers = [Speaker(id=f"p{i}", name=f"Speaker {i}") for i in range(TALKS // 2)]
    per_day = TALKS // DAYS
    talks = []
    for n in range(TALKS):
        day, rest = divmod(n, per_day)
        slot, room = divmod(rest, ROOMS)
        topic = TOPICS[n % len(TOPICS)]
        talks.append(
            Talk(
                id=n + 1,
                title=f"{topic} in practice, part {n + 1}",
                title_en=f"{topic} in practice, part {n + 1}",
                abstract=f"What we learned running {topic}.",
                speakers=[f"p{n % len(speakers)}"],
                track=track_id(n % TRACKS),
                room=room_id(room),
                start=FIRST + timedelta(days=day, minutes=SLOT_MINUTES * slot),
                duration=SLOT_MINUTES - 5,
            )
        )
    conference = Conference(
        id="fosdem-sized",
        name="FOSDEM-sized",
        name_en="FOSDEM-sized",
        timezone=TIMEZONE,
        rooms=rooms,
        tracks=tracks,
    )
    return Programme.from_content(ContentFile(conference=conference, speakers=speakers, talks=talks))
