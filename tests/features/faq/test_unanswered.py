"""Questions that found nothing are counted by their folded text, so organizers see which FAQ entries
to add: a /stats line (the most asked first) and every one of them in `confbot stats`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import write_content
from tests.helpers import ask, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("telegram", "42", "42")


def _stats(core: Core, lang: str = "en") -> str:
    return ask(core, "/stats", who=ORGANIZER, locale=lang).plain_text


def test_what_found_nothing_is_counted_as_folded_text_and_shown_most_asked_first(
    any_db: Database, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    core = Core(settings, any_db, programme, clock)  # the small programme: no venue, no FAQ
    assert "Questions that found nothing: none yet." in _stats(core)
    for text in ("wifi", "WiFi?", "Wi-Fi", "停車場"):
        assert "Nothing found" in ask(core, text, locale="en").plain_text
    ask(core, "Wi-Fi!", who=BOB, locale="zh-CN")
    text = _stats(core)
    assert "Questions that found nothing (2 different, asked 5× in all; add them to faq.yaml):" in text
    assert "“wifi” ×4 · “停车场” ×1" in text
    assert "没找到答案的问题（2 种，共问了 5 次；可加进 faq.yaml）：" in _stats(core, "zh")


def test_an_answer_found_is_not_counted(core: Core) -> None:
    ask(core, "XDP", locale="en")  # talks found
    ask(core, "hello", locale="en")  # the welcome
    ask(core, "现在")  # /now
    ask(core, "/search quantum", locale="en")  # an explicit search is no question
    press(core, "search quantum", locale="en")
    ask(core, "/talk 2")
    assert "Questions that found nothing: none yet." in _stats(core)


def test_the_chat_line_shows_the_top_and_confbot_stats_every_one(
    tmp_path: Path,
    settings: Settings,
    db: Database,
    programme: Programme,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = Core(settings, db, programme, clock)
    for n in range(1, 13):
        for _ in range(n):
            clock.advance(1)  # one person asking at a person's pace (not over the inbound limit)
            ask(core, f"question number {n} zzq", locale="en")
    text = _stats(core)
    assert "“question number 12 zzq” ×12 · “question number 11 zzq” ×11" in text
    assert "“question number 3 zzq” ×3" in text and "“question number 2 zzq”" not in text
    assert "… and 2 more (all of them: confbot stats)" in text

    content = tmp_path / "content"
    write_content(content)
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", db.url)
    plain = CliRunner().invoke(app, ["stats"])
    assert plain.exit_code == 0, plain.output
    assert "Questions that found nothing (12 different, asked 78× in all; add them to faq.yaml):" in plain.output
    assert "“question number 1 zzq” ×1" in plain.output and "more (all of them" not in plain.output
    data = json.loads(CliRunner().invoke(app, ["stats", "--json"]).output)
    assert data["unanswered"][0] == {"text": "question number 12 zzq", "count": 12}
    assert len(data["unanswered"]) == 12
