"""Nothing imported is an error naming the format and why; broken files name the file and place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.content import app
from bot.programme.content import remote
from bot.programme.content.importers import EmptySchedule, ScheduleError, load_schedule
from bot.programme.content.loader import ContentError
from tests.programme.content.importers.conftest import fixture

runner = CliRunner()

EMPTY = {
    "v2.json": (
        {"schedule": {"version": "1", "conference": {"acronym": "x", "title": "X", "days": []}, "events": []}},
        "detected c3voc schedule.json v2, but schedule.events is empty",
    ),
    "v1.json": (
        {
            "schedule": {
                "version": "1",
                "conference": {
                    "acronym": "x",
                    "title": "X",
                    "days": [{"index": 1, "date": "2026-01-01", "rooms": {"A": []}}],
                },
            }
        },
        "detected c3voc schedule.json v1, but none of its 1 days has an event (1 room lists, none with an event)",
    ),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_an_empty_schedule_is_an_error_naming_the_format(name: str) -> None:
    data, why = EMPTY[name]
    with pytest.raises(EmptySchedule) as empty:
        load_schedule(json.dumps(data).encode(), name)
    assert str(empty.value) == f"{name}: {why}"


def test_an_empty_xml_says_it_has_no_event() -> None:
    xml = b"<schedule><conference><title>X</title></conference><day date='2026-01-01'><room name='A'/></day>"
    xml += b"</schedule>"
    with pytest.raises(EmptySchedule, match=r"detected frab XML, but its 1 <day> elements hold no <event>"):
        load_schedule(xml, "x.xml")


@pytest.mark.parametrize(
    ("data", "place", "problem"),
    [
        (b'{"schedule": {\n  "conference": ]}', "line 2, column 17", "not valid JSON"),
        (b"<schedule>\n<conference>\n</schedule>", "line 3, column 3", "not well-formed XML"),
        (b"<programme><talk/></programme>", "line 1", "XML with root <programme> is not a frab or Pentabarf schedule"),
        (b'{"talks": [{"name": "x"}]}', "", "JSON, but not a schedule this bot reads"),
        (b"\xff\xfe<", "byte 0", "not UTF-8 text"),
    ],
)
def test_broken_or_foreign_files_name_the_place(data: bytes, place: str, problem: str) -> None:
    with pytest.raises(ScheduleError) as error:
        load_schedule(data, "conf.dat")
    assert error.value.source == "conf.dat" and error.value.place == place and problem in error.value.message


def test_an_event_with_a_bad_date_names_its_day_room_and_id() -> None:
    day = {"index": 2, "date": "2026-01-02", "rooms": {"Hall": [{"id": 5, "date": "tomorrow", "title": "T"}]}}
    data = {"schedule": {"version": "1", "conference": {"acronym": "x", "title": "X", "days": [day]}}}
    with pytest.raises(ScheduleError) as error:
        load_schedule(json.dumps(data).encode(), "x.json")
    assert str(error.value) == "x.json: day 2, room 'Hall', event 5, date: not a date and time: 'tomorrow'"


def test_pentabarf_event_without_date_or_start() -> None:
    xml = b"<schedule><conference/><day index='1'><room name='A'><event id='9'><title>T</title></event></room>"
    xml += b"</day></schedule>"
    with pytest.raises(ScheduleError, match=r"<day index='1'> <room name='A'> <event id='9'>: no <date>"):
        load_schedule(xml, "x.xml")


def test_cli_import_and_check_fail_on_an_empty_schedule(tmp_path: Path) -> None:
    empty = tmp_path / "schedule.json"
    empty.write_text(json.dumps(EMPTY["v2.json"][0]), encoding="utf-8")
    for command in ("import", "check"):
        result = runner.invoke(app, [command, str(empty)])
        assert result.exit_code == 1, result.output
        assert "detected c3voc schedule.json v2, but schedule.events is empty" in result.output
        assert "Traceback" not in result.output
    conference = tmp_path / "yaml"
    conference.mkdir()
    (conference / "conference.yaml").write_text("conference: {id: x, name: X}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(conference)])
    assert result.exit_code == 1 and "no talks: the programme is empty" in result.output


def test_cli_check_reads_a_schedule_file_in_any_format(tmp_path: Path) -> None:
    xml = tmp_path / "fosdem.xml"
    xml.write_bytes(fixture("fosdem2018-pentabarf.xml"))
    result = runner.invoke(app, ["check", str(xml)])
    assert result.exit_code == 0 and "4 talks, 3 speakers" in result.output


def _v1(event: object) -> bytes:
    day = {"index": 1, "date": "2026-01-01", "rooms": {"Hall": [event]}}
    return json.dumps(
        {"schedule": {"version": "1", "conference": {"acronym": "x", "title": "X", "days": [day]}}}
    ).encode()


def _v2(event: dict[str, object]) -> bytes:
    return json.dumps({"schedule": {"version": "1", "conference": {"acronym": "x"}, "events": [event]}}).encode()


V2_EVENT = {"guid": "g1", "title": "T", "start": "2026-01-01T10:00:00+01:00"}
FRAB_EVENT = "<schedule><conference/><day index='1' date='2026-01-01'><room name='A'><event id='9'>{}</event>"
FRAB_EVENT += "</room></day></schedule>"


@pytest.mark.parametrize(
    ("data", "place", "problem"),
    [
        (_v1(7), "day 1, room 'Hall', event 1", "expected an event object, not 7"),
        (_v2({**V2_EVENT, "room": {"guid": ["a"]}}), "schedule.events[0] (g1)", "unexpected data (TypeError"),
        (b'{"schedule": {"conference": {"days": [], "rooms": 5}}}', "", "unexpected data (TypeError"),
        (
            FRAB_EVENT.format("<date>2026-01-01T10:00:00</date><duration>999999999:00</duration>").encode(),
            "<day index='1'> <room name='A'> <event id='9'>",
            "duration '999999999:00': must be more than 0 and at most 24 hours",
        ),
        (
            _v1({"id": 3, "date": "2026-01-01T10:00:00+01:00", "duration": "00:00", "title": "T"}),
            "day 1, room 'Hall', event 3",
            "duration '00:00': must be more than 0",
        ),
        (_v2({**V2_EVENT, "duration": "25:00"}), "schedule.events[0] (g1)", "at most 24 hours"),
        (
            _v1({"id": 3, "date": "2026-01-01T10:00:00+01:00", "title": "T", "persons": "bob"}),
            "day 1, room 'Hall', event 3",
            "persons: expected a list of people, not 'bob'",
        ),
        (_v2({**V2_EVENT, "persons": "bob"}), "schedule.events[0] (g1)", "persons: expected a list of people"),
    ],
)
def test_malformed_events_are_schedule_errors_naming_the_event(data: bytes, place: str, problem: str) -> None:
    with pytest.raises(ScheduleError) as error:
        load_schedule(data, "conf.dat")
    assert error.value.source == "conf.dat" and error.value.place == place and problem in error.value.message


def test_a_malformed_schedule_is_a_one_line_answer_in_the_cli_and_the_sync(tmp_path: Path) -> None:
    bad = tmp_path / "schedule.json"
    bad.write_bytes(_v2({**V2_EVENT, "room": {"guid": ["a"]}}))
    for command in ("import", "check"):
        result = runner.invoke(app, [command, str(bad)])
        assert result.exit_code == 1, result.output
        assert f"{bad}: schedule.events[0] (g1): unexpected data (TypeError" in result.output
        assert "Traceback" not in result.output
    with pytest.raises(ContentError) as refused:
        remote.parse(bad.read_bytes(), "https://example.org/schedule.json")
    problem = refused.value.problems[0]
    assert problem.file == "https://example.org/schedule.json" and problem.place == "schedule.events[0] (g1)"
    assert "cannot import the schedule: unexpected data (TypeError" in problem.message


@pytest.mark.parametrize(("acronym", "expected"), [("..", "conference"), ("../etc", "etc"), ("36C3", "36C3")])
def test_a_conference_id_is_a_safe_directory_name(
    acronym: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = {"id": 1, "date": "2026-01-01T10:00:00+01:00", "duration": "00:30", "title": "T"}
    day = {"index": 1, "date": "2026-01-01", "rooms": {"Hall": [event]}}
    schedule = {"schedule": {"version": "1", "conference": {"acronym": acronym, "title": "X", "days": [day]}}}
    source = tmp_path / "in" / "schedule.json"
    source.parent.mkdir()
    source.write_text(json.dumps(schedule), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert f"into {Path('content') / expected} " in result.output
    assert sorted(p.name for p in work.iterdir()) == ["content"]  # nothing written beside content/
    assert [p.name for p in (work / "content").iterdir()] == [expected]
