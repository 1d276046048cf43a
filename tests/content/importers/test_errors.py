"""Nothing imported is an error naming the format and why; broken files name the file and place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.content import app
from bot.content.importers import EmptySchedule, ScheduleError, load_schedule
from tests.content.importers.conftest import fixture

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
