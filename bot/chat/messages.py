"""The neutral seam between the core and the adapters.

An adapter turns a platform update into a :class:`Request` (who + what) and renders the
core's :class:`Reply` for its platform. Nothing here knows about Telegram or Slack.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Style = Literal["plain", "bold", "italic", "code", "link"]


@dataclass(frozen=True)
class Address:
    """A storable conversation reference: where a push for this user goes."""

    platform: str  # "telegram" | "slack" | "console" | ...
    user_id: str
    chat_id: str
    thread: str | None = None


@dataclass(frozen=True)
class UserFile:
    """A file a user sent (a photo of the problem), as their platform refers to it: never downloaded.

    The sender of the same platform shows the file itself where it can (Telegram: by its
    ``file_id``); elsewhere the reply shows its ``url`` (Slack's permalink) or says where it is.
    """

    platform: str  # where it was sent: only that platform's bot can resend it
    kind: str  # "photo" | "document"
    file_id: str  # the platform's reference (a Telegram file_id, a Slack file id)
    name: str | None = None  # the file name, when the platform gives one
    url: str | None = None  # a link to it (Slack's permalink), when it has one

    def to_json(self) -> dict[str, str]:
        """For an outbox payload or a stored ticket message."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: object) -> UserFile | None:
        """Back from :meth:`to_json`; None if ``data`` is not one."""
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("platform", "kind", "file_id")):
            return None
        extra = {k: data[k] for k in ("name", "url") if isinstance(data.get(k), str)}
        return cls(data["platform"], data["kind"], data["file_id"], **extra)


@dataclass(frozen=True)
class Request:
    """One inbound event: a text (command or search) or a button action."""

    address: Address
    text: str = ""
    action: str | None = None  # set when a button was pressed; same grammar as a command
    locale: str | None = None  # platform locale, e.g. "zh-hans", "en-US"
    display_name: str | None = None
    is_group: bool = False
    # not a message from the user (e.g. drawing their Home): their push address is left alone
    background: bool = False
    # the group or channel the request was sent in (its chat id), None in a private chat or DM:
    # where /announce posts go (on Slack the address is the user's DM, so it is needed there)
    channel: str | None = None
    # a chat named in "/announce … in <channel>" from a private chat: the core asked the platform
    # (bot/chat/ports.py) and sets ``channel`` only when the sender administers it; otherwise the
    # reason ("not_found", "not_admin", "bot_cannot_post") is here and ``channel`` stays None
    channel_problem: str | None = None
    file: UserFile | None = None  # a file sent with the message (its caption is ``text``)
    # messages in this chat carry no author (a Telegram channel): text awaited from the user must come
    # from their private chat instead
    authorless_chat: bool = False
    # a request from a web page (bot/features/personal/web_agenda.py, the organizer desk): a prompt it
    # leaves waits there, never in the person's chat; and the page's language answers it without
    # becoming the person's own
    page: str | None = None
    page_lang: str | None = None


# terminal escape sequences, whole (pasted coloured output): CSI (ESC [ or U+009B … final byte),
# OSC (ESC ] … BEL or ESC \\), character-set and the two-character escapes; their visible tails ("[31m") go too
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]+[0-~]?"
    r"|\x1b[@-Z\\^_]?"
)
# NUL and the other C0/C1 controls but tab and newline (PostgreSQL refuses NUL in text, and none
# of them means anything in a chat message), and the bidirectional overrides that reorder how the
# text around them is shown
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # unpaired halves can't be encoded as UTF-8


def clean_text(text: str | None) -> str | None:
    """``text`` without terminal escape sequences and control characters, unpaired surrogates
    replaced by U+FFFD."""
    if text is None:
        return None
    return _SURROGATE.sub("\ufffd", _CONTROLS.sub("", _ANSI.sub("", text)))


def clean_request(request: Request) -> Request:
    """The request with every user-supplied string cleaned: done once, at the seam."""
    return dataclasses.replace(
        request,
        text=clean_text(request.text) or "",
        action=clean_text(request.action),
        locale=clean_text(request.locale),
        display_name=clean_text(request.display_name),
        file=dataclasses.replace(request.file, name=clean_text(request.file.name)) if request.file else None,
    )


@dataclass(frozen=True)
class Span:
    """A run of text with one light style. Adapters escape and style it natively."""

    text: str
    style: Style = "plain"
    url: str | None = None


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Button:
    """A button. ``action`` is a short command string (<= 64 bytes), e.g. ``"sub 12"``."""

    label: str
    action: str = ""
    url: str | None = None
    selected: bool = False  # the current choice (e.g. the day being shown)


@dataclass(frozen=True)
class Choices:
    """One pick from several options (the day picker): a select menu where the platform has
    one, else a row of buttons. ``prompt`` is already in the reply's language."""

    prompt: str
    options: tuple[Button, ...]


@dataclass(frozen=True)
class Attachment:
    """A file the reply carries, e.g. the personal agenda as ``.ics``."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Place:
    """A point on the map the reply is about (the venue): Telegram shows a map pin, Slack a map
    link, the console its coordinates."""

    title: str
    address: str
    latitude: float
    longitude: float

    @property
    def map_url(self) -> str:
        """The point on OpenStreetMap (no API key, any platform)."""
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@dataclass(frozen=True)
class PollSpec:
    """A live poll the reply is: a platform with native polls (Telegram's ``sendPoll``) posts it as
    one, closing at ``closes_at``; elsewhere the reply's text and vote buttons show it."""

    poll_id: int  # confbot's poll (its answers are mapped back to it)
    question: str
    options: tuple[str, ...]
    closes_at: datetime | None = None


@dataclass(frozen=True)
class Reply:
    """A platform-neutral answer: lines of styled spans, rows of buttons, an optional file.

    ``edit`` asks the adapter to replace the message the pressed button belongs to,
    when the platform can; otherwise it sends a new message.
    """

    lines: tuple[Line, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    edit: bool = False
    notice: str | None = None  # short toast for a button press (Telegram answerCallbackQuery)
    choices: Choices | None = None  # shown after the button rows
    lang: str = "zh"  # the language the reply is written in ("zh" | "en")
    # a bulk push (a broadcast): a sender may send it its platform's bulk way (Telegram's paid broadcasts)
    bulk: bool = False
    place: Place | None = None  # shown with the text: a map pin where the platform has one
    forward: UserFile | None = None  # a user's file carried along (a ticket's photo), see UserFile
    poll: PollSpec | None = None  # a live poll: native where the platform has polls, see PollSpec
    # what a push is about ("talk:3"): a platform whose opt-ins are per message and topic (WeChat's
    # one-time subscriptions) uses the one the person gave for it
    about: str | None = None

    @property
    def button_rows(self) -> tuple[tuple[Button, ...], ...]:
        """Every row of buttons, the choices last (for platforms without select menus)."""
        return (*self.buttons, self.choices.options) if self.choices else self.buttons

    @property
    def plain_text(self) -> str:
        """The reply as plain text (console, notifications, Slack fallback text)."""
        return "\n".join("".join(span.text for span in line) for line in self.lines)


@dataclass(frozen=True)
class Response:
    """Everything the core says to one request."""

    replies: list[Reply]
    home_changed: bool = False  # the request may have changed what the user's Home shows
    outcome: str = ""  # what the command says it did (its audit outcome: "confirmed broadcast #7"), if it ran


@dataclass(frozen=True)
class InlineCard:
    """A talk offered in an inline query (``@bot xdp`` on Telegram), ready to share."""

    id: str
    title: str
    description: str
    card: Reply


@dataclass
class ReplyBuilder:
    """Accumulates lines for a :class:`Reply`."""

    lines: list[Line] = field(default_factory=list)

    def line(self, *parts: Span | str) -> ReplyBuilder:
        """Append one line; bare strings are plain spans."""
        self.lines.append(tuple(p if isinstance(p, Span) else Span(p) for p in parts))
        return self

    def blank(self) -> ReplyBuilder:
        """Append an empty line (a paragraph break)."""
        self.lines.append(())
        return self

    def build(
        self,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        attachment: Attachment | None = None,
        edit: bool = False,
        choices: Choices | None = None,
    ) -> Reply:
        """Freeze into a :class:`Reply`."""
        return Reply(tuple(self.lines), buttons, attachment, edit, choices=choices)


def bold(text: str) -> Span:
    """A bold span."""
    return Span(text, "bold")


def italic(text: str) -> Span:
    """An italic span."""
    return Span(text, "italic")


def code(text: str) -> Span:
    """A monospace span."""
    return Span(text, "code")


def link(text: str, url: str) -> Span:
    """A hyperlink span."""
    return Span(text, "link", url)
