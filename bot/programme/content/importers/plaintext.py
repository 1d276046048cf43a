"""Abstracts and bios as plain text: HTML and Markdown are rendered, never shown as raw tags.

Markdown goes through markdown-it-py (CommonMark, the parser pretalx's own Markdown is close to)
to HTML; text that starts with an HTML block (frab and Pentabarf abstracts) skips that step. The
HTML is walked with BeautifulSoup and written as text: paragraphs become blank lines, ``<br>`` a
line break, list items ``• item``, links ``text (url)`` unless the text already is the url, images
their alt text. Scripts and styles are dropped. Plain text with none of the marks that make
Markdown or HTML passes unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from markdown_it import MarkdownIt

_MARKUP = re.compile(r"[<>&*_`#\[\]]|^\s*(?:[-+]\s|\d+[.)]\s)|^\s*>", re.MULTILINE)
_HTML_BLOCK = re.compile(r"<(?:p|div|ul|ol|h[1-6]|table|blockquote|pre|section|br)\b", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_md = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dl", "figure", "details",
}  # fmt: skip
_LINES = {"tr", "dt", "dd", "summary", "figcaption"}
_DROP = {"script", "style", "head", "title", "template", "noscript"}


def plain(text: str | None) -> str:
    """``text`` (plain, Markdown or HTML) as readable plain text."""
    return _plain(text or "")


@lru_cache(maxsize=4096)  # a speaker's bio comes once per talk in c3voc v1 and the pretalx API
def _plain(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not _MARKUP.search(text):
        return text
    html = text if _HTML_BLOCK.match(text) else _md.render(text)  # frab/Pentabarf abstracts are HTML already
    soup = BeautifulSoup(html, "html.parser")
    out: list[str] = []
    _walk(soup, out, pre=False)
    lines = [line.rstrip() for line in "".join(out).split("\n")]
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if _TAG.search(result) and not _TAG.search(text):  # HTML escaped twice (&lt;p&gt;): once more
        return _plain(result)
    return result


def _walk(node: Tag, out: list[str], *, pre: bool) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is not NavigableString:  # comments, doctypes, CDATA
                continue
            out.append(str(child) if pre else re.sub(r"\s+", " ", str(child)))
        elif isinstance(child, Tag):
            _element(child, out, pre=pre)


def _element(tag: Tag, out: list[str], *, pre: bool) -> None:
    name = tag.name
    if name in _DROP:
        return
    if name == "br":
        out.append("\n")
    elif name == "img":
        alt = str(tag.get("alt") or "").strip()
        if alt:
            out.append(alt)
    elif name == "a":
        inner: list[str] = []
        _walk(tag, inner, pre=pre)
        label = "".join(inner).strip()
        href = str(tag.get("href") or "").strip()
        if href.startswith(("http://", "https://", "mailto:")) and _bare(href) != _bare(label):
            out.append(f"{label} ({href.removeprefix('mailto:')})" if label else href)
        else:
            out.append(label or href)
    elif name == "li":
        parent = tag.parent
        if parent is not None and parent.name == "ol":
            number = 1 + sum(1 for s in tag.find_previous_siblings("li"))
            start = parent.get("start")
            number += int(str(start)) - 1 if str(start or "").isdigit() else 0
            out.append(f"\n{number}. ")
        else:
            out.append("\n• ")
        _walk(tag, out, pre=pre)
    elif name in _BLOCKS:
        out.append("\n\n")
        _walk(tag, out, pre=pre or name == "pre")
        out.append("\n\n")
    elif name in _LINES:
        out.append("\n")
        _walk(tag, out, pre=pre)
    elif name in ("td", "th"):
        _walk(tag, out, pre=pre)
        out.append("  ")
    else:
        _walk(tag, out, pre=pre)


def _bare(url: str) -> str:
    return re.sub(r"^(?:https?://|mailto:)(?:www\.)?", "", url).rstrip("/").lower()
