"""The core's neutral replies as HTML: the same lines and cards the chat shows, escaped and styled here."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from bot.chat.messages import Line, Reply

_TALK_REF = re.compile(r"#(\d{1,6})")


def line_html(line: Line, links: bool = True) -> Markup:
    """One line of spans: bold, italic, code (a ``#12`` talk reference links to its page) and links
    (``links`` False: the line is inside a link already)."""
    parts: list[str] = []
    for span in line:
        text = escape(span.text)
        if span.style == "bold":
            parts.append(f"<strong>{text}</strong>")
        elif span.style == "italic":
            parts.append(f"<em>{text}</em>")
        elif span.style == "code":
            ref = _TALK_REF.fullmatch(span.text)
            code = f"<code>{text}</code>"
            parts.append(f'<a href="/talks/{ref.group(1)}">{code}</a>' if ref and links else code)
        elif links and span.style == "link" and span.url and span.url.startswith(("https://", "http://")):
            parts.append(f'<a href="{escape(span.url)}" rel="noopener noreferrer nofollow">{text}</a>')
        else:
            parts.append(str(text))
    return Markup("".join(parts))


def reply_html(reply: Reply) -> Markup:
    """A reply's lines as paragraphs; a blank line is a gap."""
    out = [f'<p class="line">{line_html(line)}</p>' if line else '<div class="gap"></div>' for line in reply.lines]
    return Markup("\n".join(out))


def action_href(action: str) -> str | None:
    """Where a button's action leads on the web: a talk, a speaker, a search (its page); None for the
    actions that need a chat (subscribe, ask, parallel…)."""
    word, _, rest = action.partition(" ")
    if word == "talk" and rest.isdigit():
        return f"/talks/{rest}"
    if word == "speaker" and rest:
        return f"/speakers/{quote(rest, safe='')}"
    if word == "search" and rest:
        page = 1
        head, _, words = rest.partition(" ")
        if head.startswith("#") and head[1:].isdigit() and words:
            page, rest = int(head[1:]), words
        query = {"q": rest, **({"page": str(page)} if page > 1 else {})}
        return f"/search?{urlencode(query)}"
    return None


def links_of(reply: Reply) -> list[tuple[str, str]]:
    """The reply's buttons that lead somewhere on the web, as (label, href)."""
    found = []
    for row in reply.button_rows:
        for button in row:
            href = action_href(button.action)
            if href is not None:
                found.append((button.label, href))
    return found
