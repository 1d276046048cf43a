"""The loaded programme: validated content, times made aware, indexed for lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.programme.content.schema import Break, Conference, ContentFile, FaqEntry, Room, Speaker, Talk, Track


@dataclass(frozen=True)
class Programme:
    """An immutable, indexed conference programme.

    Build it with :meth:`from_content` from a validated :class:`ContentFile` (see
    ``bot.programme.content.loader``, which also checks cross references and reports errors).
    """

    conference: Conference
    talks: tuple[Talk, ...]  # sorted by (start, room, id); unscheduled last
    breaks: tuple[Break, ...]
    speakers: dict[str, Speaker] = field(repr=False)
    _talk_index: dict[int, Talk] = field(repr=False)
    _by_speaker: dict[str, tuple[Talk, ...]] = field(repr=False)
    faq: tuple[FaqEntry, ...] = ()  # the written FAQ (faq.yaml); bot/features/faq adds the venue's notes

    @classmethod
    def from_content(cls, content: ContentFile) -> Programme:
        """Index a validated content document."""
        if content.conference is None:
            raise ValueError("content has no conference section")
        tz = content.conference.tz
        talks = [t.localized(tz) for t in content.talks]
        breaks = [b.localized(tz) for b in content.breaks]
        far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
        talks.sort(key=lambda t: (t.start or far, t.room or "", t.id))
        breaks.sort(key=lambda b: (b.start or far, b.room or ""))
        by_speaker: dict[str, list[Talk]] = {}
        for talk in talks:
            for sid in talk.speakers:
                by_speaker.setdefault(sid, []).append(talk)
        return cls(
            conference=content.conference,
            talks=tuple(talks),
            breaks=tuple(breaks),
            speakers={s.id: s for s in content.speakers},
            _talk_index={t.id: t for t in talks},
            _by_speaker={k: tuple(v) for k, v in by_speaker.items()},
            faq=tuple(content.faq),
        )

    @property
    def tz(self) -> ZoneInfo:
        """The conference timezone."""
        return self.conference.tz

    def talk(self, talk_id: int) -> Talk | None:
        """The talk with this id, or None."""
        return self._talk_index.get(talk_id)

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The speaker with this id, or None."""
        return self.speakers.get(speaker_id)

    def talks_of(self, speaker_id: str) -> tuple[Talk, ...]:
        """The talks a speaker gives, in time order."""
        return self._by_speaker.get(speaker_id, ())

    def speakers_of(self, talk: Talk) -> list[Speaker]:
        """The speakers of a talk, in listed order."""
        return [self.speakers[s] for s in talk.speakers if s in self.speakers]

    @cached_property
    def _rooms(self) -> dict[str, Room]:
        return {r.id: r for r in reversed(self.conference.rooms)}  # reversed: the first of an id wins

    @cached_property
    def _tracks(self) -> dict[str, Track]:
        return {t.id: t for t in reversed(self.conference.tracks)}

    def room(self, room_id: str | None) -> Room | None:
        """The room with this id, or None."""
        return self._rooms.get(room_id) if room_id is not None else None

    def track(self, track_id: str | None) -> Track | None:
        """The track with this id, or None."""
        return self._tracks.get(track_id) if track_id is not None else None

    @cached_property
    def _slots(self) -> dict[int, tuple[Talk, ...]]:
        groups: dict[int, list[Talk]] = {}
        for talk in self.talks:  # in time order
            root = talk.repeat_of if talk.repeat_of in self._talk_index else talk.id
            groups.setdefault(root if root is not None else talk.id, []).append(talk)
        return {t.id: tuple(group) for group in groups.values() if len(group) > 1 for t in group}

    def other_slots(self, talk: Talk) -> tuple[Talk, ...]:
        """The other times the same talk is given (entries with ``repeat_of``), in time order."""
        return tuple(t for t in self._slots.get(talk.id, ()) if t.id != talk.id)

    def days(self) -> list[date]:
        """The conference days (local dates that have talks or breaks), in order."""
        starts = [i.start for i in (*self.talks, *self.breaks) if i.start is not None]
        return sorted({s.astimezone(self.tz).date() for s in starts})
