"""Which of a source's links are a talk's slides or its recording, and which URL is a room's stream.

Conservative on purpose: a link becomes ``slides`` or ``recording`` only when it says so (its title
or description, or a slides file type), never because it is some PDF or video; anything else stays in
``links``. Relative URLs (frab's attachments) are read against the schedule's base URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict
from urllib.parse import urljoin, urlsplit

SLIDE_WORDS = ("slide", "folien", "幻灯", "演示文稿", "课件", "投影片")
SLIDE_FILES = (".ppt", ".pptx", ".key", ".odp")
RECORDING_WORDS = ("recording", "aufzeichnung", "录像", "回放", "錄影")
RECORDING_HOSTS = ("media.ccc.de",)  # the c3voc's own recordings


class Media(TypedDict):
    """What an importer passes on to its ``Event``."""

    slides: str | None
    recording: str | None


def web_url(value: object, base: str | None = None) -> str | None:
    """``value`` as an http(s) URL (relative ones against ``base``), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    if base and not url.startswith(("http://", "https://")):
        url = urljoin(base, url)
    return url if url.startswith(("http://", "https://")) and " " not in url else None


def _path(url: str) -> str:
    return urlsplit(url).path.lower()


def slides_of(links: Iterable[tuple[str, str]], *, pdf: bool = False) -> str | None:
    """The first (url, title) that is slides: "slides" in its title, or a slides file (a PDF too when
    ``pdf``: a pretalx resource is the speaker's own upload)."""
    files = (*SLIDE_FILES, ".pdf") if pdf else SLIDE_FILES
    for url, title in links:
        if any(w in title.lower() for w in SLIDE_WORDS) or _path(url).endswith(files):
            return url
    return None


def recording_of(links: Iterable[tuple[str, str]]) -> str | None:
    """The first (url, title) that is the talk's recording: on media.ccc.de, or "recording" in its title."""
    for url, title in links:
        host = (urlsplit(url).hostname or "").lower()
        if host in RECORDING_HOSTS or any(w in title.lower() for w in RECORDING_WORDS):
            return url
    return None
