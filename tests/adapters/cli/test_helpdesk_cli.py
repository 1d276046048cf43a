"""`confbot helpdesk list`: the open tickets, oldest first, with who wrote, when, what, and whether
they reached an organizer; closed tickets are not listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address, Request
from bot.factory import create_core
from bot.settings import Settings

runner = CliRunner()
ORGANIZER = Address("telegram", "900001", "900001")


@pytest.fixture
def tickets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three tickets on the first day: one that waited for the organizer, one answered, one closed."""
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONFBOT_CLOCK_START", "2026-12-12T10:00+08:00")
    monkeypatch.setenv("CONFBOT_ORGANIZERS", "telegram:900001")
    core = create_core(Settings())
    for n, text in enumerate(("the projector in hall B is off", "where is the cloakroom?", "lost my badge")):
        core.handle(Request(Address("telegram", f"70{n}", f"70{n}"), text=f"/helpdesk {text}", display_name=f"P{n}"))
        if n == 0:  # the organizer arrives after the first ticket, which then reaches them
            core.handle(Request(ORGANIZER, text="/start", locale="en"))
    core.handle(Request(ORGANIZER, action="ticket_reply 2", locale="en"))
    core.handle(Request(ORGANIZER, text="Next to the main entrance.", locale="en"))
    core.handle(Request(ORGANIZER, action="ticket_close 3", locale="en"))
    core.close()


def test_lists_the_open_tickets_oldest_first(tickets: None) -> None:
    result = runner.invoke(app, ["helpdesk", "list"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("🆘 Open tickets (2)\n")
    assert out.index("#1 · ") < out.index("#2 · ") and "#3 · " not in out and "lost my badge" not in out
    assert "P0 (telegram:700)" in out and "the projector in hall B is off" in out
    assert "1 message(s), 1 answer(s)" in out
    assert "/tickets" in out


def test_in_chinese_and_when_there_is_none(tickets: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "未关闭的工单（2）" in runner.invoke(app, ["helpdesk", "list", "--lang", "zh"]).stdout
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["helpdesk", "list"])
    assert result.exit_code == 0 and "No open tickets." in result.stdout
