"""pretalx's REST API page by page, with and without a token, and pretalx's schedule export URLs,
all from a local HTTP server."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from adapters.cli.content import app
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.importers import EmptySchedule, ScheduleError, fetch, fetch_schedule
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.helpers import ask, press
from tests.programme.content.importers.conftest import ScheduleServer, fixture

runner = CliRunner()


def test_pretalx_api_follows_next_links_and_keeps_codes(
    schedule_server: ScheduleServer, settings: Settings, db: Database
) -> None:
    url = schedule_server.serve_pretalx_api()
    content = fetch_schedule(url)
    programme = Programme.from_content(content)
    paths = [p for p, _ in schedule_server.requests]
    assert any("offset=2" in p and "speakers" in p for p in paths)  # the second page of each list
    assert any("offset=2" in p and "submissions" in p for p in paths)
    assert all(auth is None for _, auth in schedule_server.requests)
    assert programme.conference.id == "hack-2026" and programme.conference.name == "Hack Summit 2026"
    assert programme.conference.timezone == "America/New_York"
    assert (str(programme.conference.first_day), str(programme.conference.last_day)) == ("2026-05-14", "2026-05-15")
    assert sorted(t.code or "" for t in programme.talks) == ["TLK001", "TLK002", "TLK003"]  # not the rejected one
    assert sorted(s.id for s in programme.speakers.values()) == ["al1ce9", "b0b777", "b0b888"]
    core = Core(settings, db, programme, FakeClock(datetime(2026, 5, 1, tzinfo=ZoneInfo("UTC"))))
    compilers = next(t for t in programme.talks if t.code == "TLK001")
    card = ask(core, f"/talk {compilers.id}", locale="en").plain_text
    assert "Thu 14 May 09:00–09:30 (UTC-4)" in card and "Ballroom" in card and "Languages" in card
    assert "Parsing, typing and code generation.\n\n1. lexers\n2. parsers" in card
    assert "Slides: here (https://alice.example/slides)" in card
    fuzzing = next(t for t in programme.talks if t.code == "TLK002")
    assert fuzzing.kind == "workshop"
    agenda = ask(core, "/agenda 1", locale="en").plain_text
    assert f"13:00–14:30 Lab 2 #{fuzzing.id} Fuzzing the Kernel — Bob" in agenda
    bobs = ask(core, "/speaker Bob", locale="en")
    assert [b.action for row in bobs.button_rows for b in row] == ["speaker b0b777", "speaker b0b888"]
    assert "The other Bob." in press(core, "speaker b0b888", locale="en").plain_text
    assert "Compilers Without Fear" in ask(core, "/search compilers", locale="en").plain_text


def test_pretalx_api_of_a_private_event_needs_the_token(schedule_server: ScheduleServer) -> None:
    url = schedule_server.serve_pretalx_api("closed-2026")
    schedule_server.tokens["/api/events/closed-2026/"] = "s3cret"
    with pytest.raises(ScheduleError) as refused:
        fetch_schedule(url)
    assert "HTTP 401" in str(refused.value) and "--token" in str(refused.value)
    before = len(schedule_server.requests)
    content = fetch_schedule(url, token="s3cret")
    assert len(content.talks) == 3
    assert {auth for _, auth in schedule_server.requests[before:]} == {"Token s3cret"}


def test_a_next_link_to_another_host_is_not_followed_with_the_token(schedule_server: ScheduleServer) -> None:
    url = schedule_server.serve_pretalx_api("closed-2026")
    schedule_server.tokens["/api/events/closed-2026/"] = "s3cret"
    first = "/api/events/closed-2026/speakers/?limit=100"
    elsewhere = schedule_server.base.replace("127.0.0.1", "localhost")  # another host name
    schedule_server.routes[first] = schedule_server.routes[first].replace(
        schedule_server.base.encode(), elsewhere.encode()
    )
    with pytest.raises(ScheduleError) as refused:
        fetch_schedule(url, token="s3cret")
    assert "the next page is on another host" in str(refused.value) and elsewhere in str(refused.value)
    assert not any("speakers/?limit=2&offset=2" in path for path, _ in schedule_server.requests)


def test_an_api_page_or_all_pages_over_the_size_limit_are_refused(
    schedule_server: ScheduleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = schedule_server.serve_pretalx_api()
    monkeypatch.setattr(fetch, "MAX_BYTES", 1_000)  # submissions-1.json is 1.5 kB
    with pytest.raises(ScheduleError) as refused:
        fetch_schedule(url)
    assert "submissions" in refused.value.source and "too large: more than the 1000 bytes" in refused.value.message
    monkeypatch.setattr(fetch, "MAX_BYTES", 10_000)
    monkeypatch.setattr(fetch, "MAX_TOTAL_BYTES", 3_000)  # every page is smaller, all of them are 3.9 kB
    with pytest.raises(ScheduleError) as refused:
        fetch_schedule(url)
    assert "a schedule in all its pages" in refused.value.message
    monkeypatch.setattr(fetch, "MAX_TOTAL_BYTES", 10_000)
    assert len(fetch_schedule(url).talks) == 3


def test_pretalx_api_with_nothing_scheduled_says_why(schedule_server: ScheduleServer) -> None:
    url = schedule_server.serve_pretalx_api()
    root = "/api/events/hack-2026/"
    schedule_server.routes[root + "submissions/?expand=slots,track,submission_type&limit=100"] = (
        b'{"count": 2, "next": null, "results": ['
        b'{"code": "A1", "title": "x", "state": "submitted", "speakers": [], "slots": []},'
        b'{"code": "B2", "title": "y", "state": "confirmed", "speakers": [], "slots": []}]}'
    )
    with pytest.raises(EmptySchedule) as empty:
        fetch_schedule(url)
    message = str(empty.value)
    assert "detected pretalx API" in message and "2 submissions" in message and "1 submitted" in message
    assert "1 confirmed without a scheduled slot" in message


@pytest.mark.parametrize("name", ["c3voc-v1-no-zone.json", "pretalx-schedule.xml"])
def test_pretalx_schedule_export_urls(schedule_server: ScheduleServer, name: str) -> None:
    path = "/democon/schedule/export/" + ("schedule.json" if name.endswith("json") else "schedule.xml")
    schedule_server.routes[path] = fixture(name)
    content = fetch_schedule(schedule_server.base + path)
    assert content.talks and all(t.code for t in content.talks)


def test_unreachable_and_missing_urls_are_clear_errors(schedule_server: ScheduleServer) -> None:
    with pytest.raises(ScheduleError) as missing:
        fetch_schedule(schedule_server.base + "/nothing/schedule.json")
    assert "HTTP 404" in str(missing.value) and "/nothing/schedule.json" in str(missing.value)
    with pytest.raises(ScheduleError) as refused:
        fetch_schedule("http://127.0.0.1:9/schedule.json")  # the discard port: nobody listens
    assert "cannot fetch" in str(refused.value)


def test_cli_imports_and_checks_a_pretalx_api_url(schedule_server: ScheduleServer, tmp_path: Path) -> None:
    url = schedule_server.serve_pretalx_api("closed-2026")
    schedule_server.tokens["/api/events/closed-2026/"] = "s3cret"
    out = tmp_path / "hack"
    refused = runner.invoke(app, ["import", url, "--output", str(out)])
    assert refused.exit_code == 1 and "HTTP 401" in refused.output and not out.exists()
    result = runner.invoke(app, ["import", url, "--token", "s3cret", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 talks (3 scheduled) and 3 speakers" in result.output and "America/New_York" in result.output
    assert "code: TLK001" in (out / "talks.yaml").read_text(encoding="utf-8")
    checked = runner.invoke(app, ["check", url, "--token", "s3cret"])
    assert checked.exit_code == 0 and "3 talks, 3 speakers" in checked.output
