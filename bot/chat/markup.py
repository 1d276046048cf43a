"""The small markup organizers write in broadcasts, parsed into styled spans.

Supported (documented in docs/organizers.md):

- ``*bold*`` and ``_italic_``: the markers must hug the words (``* x *`` stays as typed) and sit at
  word edges, so ``snake_case_names`` and ``2*3*4`` are left alone;
- ``[text](https://url)``: a link; only ``http`` and ``https`` URLs, anything else stays as typed;
- line breaks are kept, blank lines included;
- ``\\*``, ``\\_``, ``\\[``, ``\\]`` and ``\\\\`` write the character itself.

No nesting: markers inside a bold, italic or link text are shown as typed. The result is plain
:class:`~bot.chat.messages.Span` lines, so every adapter escapes the organizer's text for its platform
(Telegram HTML, Slack mrkdwn); nothing the organizer types can break a message's markup.
"""

from __future__ import annotations

import re

from bot.chat.messages import Line, Span, Style

_TOKEN = re.compile(
    r"\\(?P<escaped>[*_\[\]\\])"
    r"|\[(?P<label>[^\[\]\n]+)\]\((?P<url>https?://[^\s()<>]+)\)"
    r"|(?<![\w*\\])\*(?P<bold>[^\s*](?:[^*\n]*[^\s*\\])?)\*(?![\w*])"
    r"|(?<![\w\\])_(?P<italic>[^\s_](?:[^_\n]*[^\s_\\])?)_(?!\w)"
)


def _add(out: list[Span], text: str, style: Style = "plain", url: str | None = None) -> None:
    """Append a span, merging neighbouring plain text."""
    if not text:
        return
    if style == "plain" and out and out[-1].style == "plain":
        out[-1] = Span(out[-1].text + text)
    else:
        out.append(Span(text, style, url))


def parse_line(text: str) -> Line:
    """One line of markup as spans."""
    out: list[Span] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        _add(out, text[pos : match.start()])
        pos = match.end()
        if match["escaped"] is not None:
            _add(out, match["escaped"])
        elif match["label"] is not None:
            _add(out, match["label"], "link", match["url"])
        elif match["bold"] is not None:
            _add(out, match["bold"], "bold")
        else:
            _add(out, match["italic"], "italic")
    _add(out, text[pos:])
    return tuple(out)


def parse(text: str) -> list[Line]:
    """Markup as lines of spans; line breaks (``\\n``, ``\\r\\n``) start new lines, blank ones kept."""
    return [parse_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def visible_length(lines: list[Line]) -> int:
    """What the lines cost against a message limit: UTF-16 units (as Telegram counts), line breaks included.

    Never less than the number of characters, so a text within it fits every platform's page.
    """
    text = "\n".join("".join(span.text for span in line) for line in lines)
    return len(text.encode("utf-16-le")) // 2
