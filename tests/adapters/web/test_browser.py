"""The pages in real Chromium (Debian's package, driven by Playwright): what a reader sees on a phone and
on a projector, that search answers, and that the page loads nothing from elsewhere nor trips its CSP.

``CONFBOT_SCREENSHOTS=1`` also saves the screenshots shown in the README (docs/screenshots/)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.adapters.web.conftest import Served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extras)")

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


class Visit:
    """One page in a fresh context: every request it made and every console message it logged."""

    def __init__(self, browser: sync_api.Browser, served: Served, viewport: dict[str, int], locale: str) -> None:
        self.context = browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.served = served

    def open(self, path: str) -> sync_api.Page:
        response = self.page.goto(self.served.url + path)
        assert response is not None and response.ok
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: sync_api.Browser, served: Served) -> Iterator[object]:
    opened: list[Visit] = []

    def make(viewport: dict[str, int] = PHONE, locale: str = "zh-CN") -> Visit:
        opened.append(Visit(browser, served, viewport, locale))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def _talks_visible(page: sync_api.Page, served: Served) -> set[int]:
    return {t.id for t in served.core.programme.talks if page.get_by_test_id(f"talk-{t.id}").first.is_visible()}


@pytest.mark.parametrize("viewport", [PHONE, PROJECTOR], ids=["phone", "projector"])
def test_the_programme_shows_every_bundled_talk(visit, served: Served, viewport: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    v = visit(viewport)
    page = v.open("/")
    assert _talks_visible(page, served) == {t.id for t in served.core.programme.talks}
    header = page.locator("table.grid thead").first
    if viewport is PHONE:  # a list: no room columns, each talk names its room
        assert not header.is_visible()
        assert page.locator(".room-label").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "programme-phone.png"))
    else:  # a grid: the rooms side by side
        assert header.is_visible() and "主会场" in header.inner_text()


def test_a_talk_page_shows_what_the_chat_shows(visit, served: Served) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import ask

    v = visit(PHONE, "en-US")
    page = v.open("/talks/1")
    card = page.get_by_test_id("talk-card").inner_text()
    chat = ask(served.core, "/talk 1", locale="en").plain_text
    for line in chat.splitlines()[:8]:
        assert line.strip() in card
    assert page.get_by_test_id("calendar").is_visible()
    assert page.get_by_test_id("remind-telegram").get_attribute("href") == "https://t.me/confbot_test_bot?start=talk_1"
    assert page.get_by_test_id("qr").locator("svg").is_visible()
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "talk-phone.png"), full_page=True)
    page.get_by_test_id("speaker-chenlijun").click()
    assert "Chen Lijun" in page.get_by_test_id("speaker-card").inner_text()


def test_the_speaker_page_shows_the_bio_and_talks(visit, served: Served) -> None:  # type: ignore[no-untyped-def]
    v = visit(PHONE, "zh-CN")
    card = v.open("/speakers/chenlijun").get_by_test_id("speaker-card").inner_text()
    assert "陈莉君" in card and "西安邮电大学" in card and "#1" in card


@pytest.mark.parametrize(
    ("query", "expected"),
    [("网络", "#"), ("rongqi", "容器"), ("observability", "#")],
    ids=["chinese", "pinyin", "english"],
)
def test_search_from_the_box_finds_talks(visit, query: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    v = visit(PHONE, "zh-CN")
    page = v.open("/")
    page.get_by_test_id("search-box").fill(query)
    page.get_by_test_id("search-send").click()
    results = page.get_by_test_id("results")
    assert expected in results.inner_text()
    assert results.locator("a[href^='/talks/']").count() >= 1


def test_the_language_switch_is_remembered(visit) -> None:  # type: ignore[no-untyped-def]
    v = visit(PHONE, "zh-CN")
    page = v.open("/")
    page.get_by_test_id("lang-en").click()
    assert page.locator("html").get_attribute("lang") == "en"
    v.open("/talks/1")
    assert "From the Linux Kernel to eBPF" in page.get_by_test_id("talk-card").inner_text()


def test_every_request_stays_on_the_bots_host_and_the_csp_blocks_nothing(visit, served: Served) -> None:  # type: ignore[no-untyped-def]
    v = visit(PROJECTOR, "zh-CN")
    for path in ("/", "/talks/1", "/speakers/chenlijun", "/search?q=ebpf", "/?lang=zh-hant&track=network"):
        v.open(path)
    host = urlsplit(served.url).netloc
    assert v.requests and {urlsplit(url).netloc for url in v.requests} == {host}
    assert any(url.endswith("/static/web.css") for url in v.requests)
    assert [m for m in v.console if "Content Security Policy" in m or "Refused" in m] == []
