"""The neutral seam between the core and the adapters.

An adapter turns a platform update into a :class:`Request` (who + what) and renders the
core's :class:`Reply` for its platform. Nothing here knows about Telegram or Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
class Request:
    """One inbound event: a text (command or search) or a button action."""

    address: Address
    text: str = ""
    action: str | None = None  # set when a button was pressed; same grammar as a command
    locale: str | None = None  # platform locale, e.g. "zh-hans", "en-US"
    display_name: str | None = None
    is_group: bool = False


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


@dataclass(frozen=True)
class Attachment:
    """A file the reply carries, e.g. the personal agenda as ``.ics``."""

    filename: str
    content: bytes
    mime_type: str


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

    @property
    def plain_text(self) -> str:
        """The reply as plain text (console, notifications, Slack fallback text)."""
        return "\n".join("".join(span.text for span in line) for line in self.lines)


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

    def build(self, **kwargs: object) -> Reply:
        """Freeze into a :class:`Reply`; kwargs are passed through (buttons, edit, ...)."""
        return Reply(lines=tuple(self.lines), **kwargs)  # type: ignore[arg-type]


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
