"""The core's replies as WeChat text messages.

WeChat's text messages carry plain text and ``<a href="…">`` links; there are no buttons in a
reply. A link button becomes a link; every other button becomes a letter to type (``[a] 订阅``),
kept per person by ``bot/chat/choices.py``, so typing ``a`` presses it, as in the terminal (one
letter each; a letter's width never changes a message's length). A bare number stays a talk (``17``
opens talk 17) everywhere, so when a message has more buttons than letters, the buttons nothing else
can press (the next page, the other day) get theirs first, then the talks' last; a button past
them shows ``[-]``. A file can't be sent in a text message: the reply says where to find it instead. Long
replies are cut on line boundaries into messages of at most :data:`MAX_BYTES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from bot.chat.choices import LETTERS, button_key
from bot.chat.files import forward_as_text
from bot.chat.messages import Button, Line, Reply
from bot.i18n import t

# WeChat does not publish the limit of a text message; 2048 bytes of UTF-8 is what the community
# reports for both passive replies and customer-service messages (docs/wechat.md)
MAX_BYTES = 2048
# WeChat turns <a href="…"> in a text message into a live link (and weixin://bizmsgmenu links into
# messages the reader sends by tapping): developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/
# mp-message-management/customer-message/api_send_msg_custom.html. Text that is not ours (a title, a
# question, a name) must never open or close one, so its "<a" and "</a" are shown with a "＜".
TAG_START = re.compile(r"<(?=/?a[\s>/])", re.IGNORECASE)
TYPED = re.compile(r"talk \d+")  # a talk's button: its number, typed, opens it too
PAGER_LABELS = ("button.prev", "button.next", "button.more")  # the buttons that page through a reply
INERT_LT = "\uff1c"  # FULLWIDTH LESS-THAN SIGN


@dataclass(frozen=True)
class Rendered:
    """A reply's text and the actions of its lettered buttons, in letter order."""

    text: str
    actions: tuple[str, ...]


def inert(text: str) -> str:
    """``text`` as WeChat shows it, with nothing in it read as a tag."""
    return TAG_START.sub(INERT_LT, text)


def link(url: str, label: str) -> str:
    """A tappable link in a WeChat text message."""
    return f'<a href="{escape(url, quote=True)}">{inert(label)}</a>'


def _line(line: Line) -> str:
    """A line's spans, each run of plain ones made inert together (two spans can't make a tag)."""
    out, plain = [], ""
    for span in line:
        if span.url:
            out += [inert(plain), link(span.url, span.text)]
            plain = ""
        else:
            plain += span.text
    return "".join([*out, inert(plain)])


def _button(button: Button, key: str | None) -> str:
    mark = "• " if button.selected else ""
    if button.url:
        return link(button.url, f"{mark}{button.label}")
    return f"[{key}] {mark}{inert(button.label)}"


def render(reply: Reply, first_key: int = 1) -> Rendered:
    """``reply`` as text; its action buttons lettered from the ``first_key``-th letter."""
    reply = forward_as_text(reply)  # a file from another platform: its link, or where it was sent
    lines = ([f"✓ {inert(reply.notice)}"] if reply.notice else []) + [_line(line) for line in reply.lines]
    if reply.place is not None:
        lines.append(link(reply.place.map_url, f"🗺 {reply.place.title}"))
    if reply.attachment is not None:
        lines.append(t(reply.lang, "wechat.no_files", name=reply.attachment.filename))
    actions: list[str] = []
    pressable = [b for row in reply.button_rows for b in row if not b.url]
    moving = {t(reply.lang, key) for key in PAGER_LABELS}
    ahead = {id(b) for b in pressable if b.label in moving} | {
        id(b) for b in (reply.choices.options if reply.choices else ())
    }
    lettered = _lettered(pressable, LETTERS - first_key + 1, ahead)
    for row in reply.button_rows:
        shown = []
        for button in row:
            key = None
            if not button.url:
                key = "-"  # past the letters: shown, pressed by typing its command (a talk: its number)
                if id(button) in lettered:
                    actions.append(button.action)
                    key = button_key(first_key + len(actions) - 1)
            shown.append(_button(button, key))
        lines.append("  ".join(shown))
    if actions:
        lines.append(t(reply.lang, "wechat.type_letter"))
    return Rendered("\n".join(lines).strip("\n") or "…", tuple(actions))


def _lettered(buttons: list[Button], letters: int, ahead: set[int]) -> set[int]:
    """The buttons (their ``id``) that get one of ``letters`` letters: all when they fit; else first the
    ones that move through the reply (``ahead``: its pages, its days), then those nothing else can
    press, then the talks (a talk's number, typed, opens it), each in reading order."""
    if len(buttons) <= letters:
        return {id(b) for b in buttons}
    moving = [b for b in buttons if id(b) in ahead]
    others = [b for b in buttons if id(b) not in ahead and not TYPED.fullmatch(b.action)]
    talks = [b for b in buttons if id(b) not in ahead and TYPED.fullmatch(b.action)]
    return {id(b) for b in (moving + others + talks)[:letters]}


def _fits(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) <= limit


def _cut_long_line(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` bytes in pieces of whole characters."""
    pieces, piece = [], ""
    for char in line:
        if not _fits(piece + char, limit):
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def messages(text: str, limit: int = MAX_BYTES) -> list[str]:
    """``text`` as messages of at most ``limit`` bytes, cut between lines where possible."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _fits(candidate, limit):
            current = candidate
            continue
        if current:
            out.append(current)
        if _fits(line, limit):
            current = line
        else:
            *full, current = _cut_long_line(line, limit) or [""]
            out.extend(full)
    if current or not out:
        out.append(current)
    return out
