"""The content schema, validated with pydantic. Documented for organizers in docs/content.md.

Times in content files may be naive ("2026-12-12 09:00"): they are read in the conference's
timezone. Every loaded time is timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Room(_Model):
    """A room (or hall) talks happen in, with how to find it."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str | None = None
    floor: str | None = None  # as signposted: "3F", "B1"
    directions: str | None = None
    directions_en: str | None = None
    capacity: int | None = Field(default=None, ge=1)  # seats: the desk compares each talk's stars with it
    stream: str | None = Field(default=None, pattern=r"^https?://")  # the room's live stream


class Venue(_Model):
    """Where the conference happens: a place on the map and how to get in.

    Every note is optional and has a Chinese and an English field. ``draft`` marks a venue the
    organizers have not confirmed (shown to attendees as such).
    """

    name: str = Field(min_length=1)
    name_en: str | None = None
    address: str = ""
    address_en: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    draft: bool = False
    wifi: str | None = None
    wifi_en: str | None = None
    transport: str | None = None
    transport_en: str | None = None
    registration: str | None = None
    registration_en: str | None = None
    food: str | None = None
    food_en: str | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class Track(_Model):
    """A thematic track."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str | None = None


class Conference(_Model):
    """The event itself."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str | None = None
    timezone: str = "UTC"
    # the conference days (local dates); a talk starting outside them is a schedule conflict
    first_day: date | None = None
    last_day: date | None = None
    draft: bool = False
    draft_note: str | None = None
    draft_note_en: str | None = None
    url: str | None = None
    venue: Venue | None = None  # a bare string is read as the venue's name (older files)
    rooms: list[Room] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)
    # the highest talk number an import gave out: a re-import numbers new talks above it, so a
    # removed talk's number never comes back as another talk
    last_talk_id: int | None = Field(default=None, gt=0, lt=1_000_000)
    # search: more names of one organisation each (字节, 字节跳动, ByteDance), added to the built-in
    # table of big tech companies (bot.programme.search.aliases); a group sharing a name extends it
    aliases: list[list[str]] = Field(default_factory=list)

    @field_validator("venue", mode="before")
    @classmethod
    def _venue_name_only(cls, value: object) -> object:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like Asia/Shanghai)") from exc
        return value

    @field_validator("aliases")
    @classmethod
    def _alias_groups(cls, value: list[list[str]]) -> list[list[str]]:
        for group in value:
            names = [name.strip() for name in group if name.strip()]
            if len(names) < 2:
                raise ValueError(f"an alias group needs two names or more: {group!r}")
        return value

    @model_validator(mode="after")
    def _days_in_order(self) -> Self:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The conference's timezone."""
        return ZoneInfo(self.timezone)


class Speaker(_Model):
    """A person who gives one or more talks."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    name_en: str | None = None  # e.g. the pinyin "Chen Lijun"
    affiliation: str = ""
    affiliation_en: str | None = None
    bio: str = ""
    bio_en: str | None = None  # a one-line English bio
    links: list[str] = Field(default_factory=list)


class _Timed(_Model):
    start: datetime | None = None
    end: datetime | None = None
    duration: int | None = Field(default=None, gt=0, le=24 * 60)  # minutes, instead of end
    room: str | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end is not None and self.duration is not None:
            raise ValueError("give either end or duration, not both")
        if self.end is not None and self.start is None:
            raise ValueError("end given without start")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def localized(self, tz: ZoneInfo) -> Self:
        """Return a copy whose times are aware (naive ones read in ``tz``) with ``end`` set."""
        start = self.start
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        end = self.end
        if end is not None and end.tzinfo is None:
            end = end.replace(tzinfo=tz)
        if start is not None and end is None and self.duration is not None:
            end = start + timedelta(minutes=self.duration)
        return self.model_copy(update={"start": start, "end": end, "duration": None})


class Talk(_Timed):
    """A talk (or keynote). ``id`` is the short number attendees type."""

    id: int = Field(gt=0, lt=1_000_000)
    kind: Literal["keynote", "talk", "panel", "workshop", "lightning"] = "talk"
    title: str = Field(min_length=1)
    title_en: str | None = None
    abstract: str = ""
    abstract_en: str | None = None
    outline: list[str] = Field(default_factory=list)
    outline_en: list[str] | None = None
    takeaways: list[str] = Field(default_factory=list)
    takeaways_en: list[str] | None = None
    links: list[str] = Field(default_factory=list)
    slides: str | None = Field(default=None, pattern=r"^https?://")  # the slides, once published
    recording: str | None = Field(default=None, pattern=r"^https?://")  # the recording, once up
    tags: list[str] = Field(default_factory=list)  # English tags
    tags_zh: list[str] = Field(default_factory=list)  # Chinese tags
    speakers: list[str] = Field(default_factory=list)  # speaker ids
    track: str | None = None
    language: str | None = None
    cancelled: bool = False
    guid: str | None = None  # the source's guid (frab, c3voc, pretalx): keeps the id on re-import
    code: str | None = None  # the pretalx submission code, likewise
    # the talk given again: this entry is another slot of talk ``repeat_of`` (same title, speakers)
    repeat_of: int | None = Field(default=None, gt=0, lt=1_000_000)


class Break(_Timed):
    """A non-talk agenda item: a break, lunch, registration... ``room: null`` = every room."""

    title: str = Field(min_length=1)
    title_en: str | None = None
    kind: Literal["break", "lunch", "registration", "social", "other"] = "break"


VENUE_NOTES = ("wifi", "food", "transport", "registration", "address")  # FAQ ids the venue answers


class FaqEntry(_Model):
    """A question attendees ask (``faq.yaml``): how they ask it, the words that give it away, the answer.

    ``answer`` may be left out when ``id`` names a venue note (:data:`VENUE_NOTES`): the note is the
    answer, and the entry adds its questions and keywords to the one derived from the venue.
    ``place`` is ``venue`` (a map pin) or a room id (its floor and directions).
    """

    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    questions: list[str] = Field(default_factory=list)
    questions_en: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    keywords_en: list[str] = Field(default_factory=list)
    answer: str | None = None
    answer_en: str | None = None
    link: str | None = Field(default=None, pattern=r"^https?://\S+$")
    place: str | None = None

    @model_validator(mode="after")
    def _findable(self) -> Self:
        if not (self.questions or self.questions_en or self.keywords or self.keywords_en):
            raise ValueError("give questions or keywords (zh or en) that find this entry")
        if self.answer is None and self.answer_en is not None:
            raise ValueError("answer_en given without answer (the Chinese answer)")
        return self


class ContentFile(_Model):
    """One content document. A directory's files are merged into one of these."""

    conference: Conference | None = None
    speakers: list[Speaker] = Field(default_factory=list)
    talks: list[Talk] = Field(default_factory=list)
    breaks: list[Break] = Field(default_factory=list)
    faq: list[FaqEntry] = Field(default_factory=list)
