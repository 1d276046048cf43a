"""The room screen in real Chromium (Debian's package, driven by Playwright) at a projector's 1920×1080: a
question asked on Telegram (the real adapter, polling the fake Bot API, on the same core and database as
the web server) appears within seconds without a reload; a cancelled talk leaves the open screen; the
page never scrolls, loads nothing from elsewhere and trips no CSP.

``CONFBOT_SCREENSHOTS=1`` also saves docs/screenshots/room-screen.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import Question
from tests.adapters.web.conftest import ORGANIZER, Venue
from tests.adapters.web.test_browser import CHROMIUM, PROJECTOR, SHOTS
from tests.helpers import actions, ask, press

if not Path(CHROMIUM).exists():  # test_browser.py skips its own module; this one too
    pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extras)")

ALICE = 1001  # a Telegram user
WAIT_MS = 5000  # "within seconds": the screens' poller reads the room every second (the default)


def question_id(core: Core, text: str) -> int:
    """The id of the question asked with ``text`` (what its 👍 button carries)."""
    with core.db.session() as session:
        found = session.scalar(select(Question.id).where(Question.text == text))
    assert found is not None
    return found


class Screen:
    """The room screen open in a fresh context, with every request it made, its console and its loads."""

    def __init__(self, browser: sync_api.Browser, venue: Venue, path: str) -> None:
        self.context = browser.new_context(viewport=PROJECTOR, locale="zh-CN")  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.loads = 0
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("load", lambda _: setattr(self, "loads", self.loads + 1))
        response = self.page.goto(venue.url + path)
        assert response is not None and response.ok
        self.page.wait_for_function("document.querySelector('[data-until]') !== null")
        self.host = urlsplit(venue.url).netloc

    def questions(self) -> sync_api.Locator:
        return self.page.get_by_test_id("question")

    def fits(self) -> bool:
        return bool(self.page.evaluate("document.documentElement.scrollHeight <= window.innerHeight"))

    def only_its_own_host_and_no_csp_error(self) -> None:
        assert self.requests and {urlsplit(url).netloc for url in self.requests} == {self.host}
        assert any(url.endswith("/static/screen.js") for url in self.requests)
        assert [m for m in self.console if "Content Security Policy" in m or "Refused" in m] == []


@pytest.fixture
def screen(browser: sync_api.Browser, venue: Venue) -> Iterator[object]:
    opened: list[Screen] = []

    def make(path: str = "/rooms/A/screen") -> Screen:
        opened.append(Screen(browser, venue, path))
        return opened[-1]

    yield make
    for s in opened:
        s.context.close()


def test_a_question_asked_on_telegram_appears_on_the_room_screen_within_seconds(screen, venue: Venue) -> None:  # type: ignore[no-untyped-def]
    s = screen()
    assert s.questions().count() == 0
    countdown = s.page.get_by_test_id("countdown").inner_text()
    sync_api.expect(s.page.get_by_test_id("countdown")).not_to_have_text(countdown, timeout=3000)  # it ticks

    venue.telegram_says(ALICE, "/ask 2 eBPF 程序在 ARM 开发板上能跑吗？")
    sync_api.expect(s.questions()).to_have_text(["👍 0 eBPF 程序在 ARM 开发板上能跑吗？"], timeout=WAIT_MS)
    assert s.loads == 1  # no reload: the page took the update itself
    s.only_its_own_host_and_no_csp_error()


def test_a_cancelled_talk_leaves_the_open_screen_without_a_reload(screen, venue: Venue) -> None:  # type: ignore[no-untyped-def]
    s = screen("/rooms/A/screen?lang=en")
    now = s.page.get_by_test_id("screen-now")
    sync_api.expect(now).to_contain_text("#2")
    preview = ask(venue.core, "/cancel 2 force", who=ORGANIZER, locale="en")
    assert isinstance(venue.core.clock, FakeClock)
    venue.core.clock.advance(timedelta(seconds=5))
    press(venue.core, next(a for a in actions(preview) if a.startswith("confirm ")), who=ORGANIZER, locale="en")
    sync_api.expect(now).to_contain_text("Nothing on in this room right now.", timeout=WAIT_MS)
    sync_api.expect(now).not_to_contain_text("#2")
    assert s.loads == 1
    s.only_its_own_host_and_no_csp_error()


def test_the_screen_never_scrolls_at_1920_by_1080(screen, venue: Venue) -> None:  # type: ignore[no-untyped-def]
    asked = [
        ("eBPF 程序在 ARM 开发板上能跑吗？性能和 x86 比差多少？", 12),
        ("验证器的复杂度上限现在是多少？大程序怎么拆分比较好？", 9),
        ("机器人场景里，eBPF 和实时内核（PREEMPT_RT）一起用有什么坑？", 6),
        ("Is there a recording of this talk, and will the slides be shared?", 3),
        ("BTF 在老内核上不可用时，CO-RE 还能怎么做？", 1),
    ]
    for n, (text, votes) in enumerate(asked):
        venue.core.handle(Request(Address("telegram", f"q{n}", f"q{n}"), text=f"/ask 2 {text}"))
        for voter in range(votes):
            press(
                venue.core, f"vote {question_id(venue.core, text)}", who=Address("telegram", f"v{voter}", f"v{voter}")
            )
    s = screen()
    sync_api.expect(s.questions()).to_have_count(5)
    assert s.questions().first.inner_text().startswith("👍 12")
    assert s.fits()
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        s.page.screenshot(path=str(SHOTS / "room-screen.png"))

    longest = "很长的问题" * 60  # 300 characters, the most a question may have
    for n in range(5):
        text = longest[: 300 - n]
        venue.core.handle(Request(Address("telegram", f"l{n}", f"l{n}"), text=f"/ask 2 {text}"))
        for voter in range(20 + n):
            press(
                venue.core, f"vote {question_id(venue.core, text)}", who=Address("telegram", f"w{voter}", f"w{voter}")
            )
    sync_api.expect(s.questions().first).to_contain_text("很长的问题", timeout=WAIT_MS)
    assert s.fits() and s.loads == 1
    s.only_its_own_host_and_no_csp_error()
