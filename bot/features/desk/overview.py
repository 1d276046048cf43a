"""The desk's Now page: every room with what is on and next and its subscribers, the open helpdesk
tickets, and the pushes waiting or failed, from the same views the chat and the room screens use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.features.browse.board import RoomScreen
from bot.features.helpdesk.tickets import TicketCounts
from bot.features.helpdesk.tickets import counts as ticket_counts
from bot.features.organizer.stats import subscriber_counts
from bot.features.rooms import capacity
from bot.programme.content.programme import Programme


@dataclass(frozen=True)
class RoomNow:
    """One room on the Now page: its screen's view, and how many starred the talk on now and the next."""

    screen: RoomScreen
    now_subscribers: int | None
    next_subscribers: tuple[int | None, ...]
    capacity: int | None  # the room's seats, when the content says

    def over(self, subscribers: int | None) -> bool:
        """More people starred a talk here than the room seats."""
        return self.capacity is not None and subscribers is not None and subscribers > self.capacity


@dataclass(frozen=True)
class DeskNow:
    """The Now page."""

    rooms: tuple[RoomNow, ...]
    tickets: TicketCounts
    pushes: dict[str, int]  # outbox rows by status: pending, sending, sent, failed, blocked…
    crowded: tuple[str, ...] = ()  # talks to come with more subscribers than seats (and a bigger free room)


def now_view(
    session: Session,
    screens: list[RoomScreen],
    capacities: dict[str, int | None],
    programme: Programme,
    now: datetime,
    lang: str,
) -> DeskNow:
    """The Now page from the rooms' screens (``Core.web_room_screen``) and their seats, with the talks
    still to come that have more subscribers than their room seats (:func:`capacity.crowded`)."""
    subscribers = subscriber_counts(session)

    def count(talk_id: int | None) -> int | None:
        return subscribers.get(talk_id, 0) if talk_id is not None else None

    rooms = tuple(
        RoomNow(s, count(s.now_id), tuple(count(i) for i in s.next_ids), capacities.get(s.room.id)) for s in screens
    )
    crowded = tuple(capacity.describe(programme, c, lang) for c in capacity.crowded(session, programme, now))
    return DeskNow(rooms, ticket_counts(session), outbox.counts(session), crowded)
