"""Any conference, any size: a saved pretalx API file (PyConFR's shape), COSCUP's OPass
``session.json``, talks given in several slots, ``--name``, short talk numbers that survive a
re-import, the zone from the schedule's city, and a welcome that names the conference's own topics."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from adapters.cli.content import app
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.importers import ScheduleError, detect, load_schedule
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.helpers import ask
from tests.programme.content.importers.conftest import fixture

runner = CliRunner()
BEFORE = FakeClock(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))


def chat(settings: Settings, db: Database, data: bytes, source: str, **options: Any) -> tuple[Core, Programme]:
    programme = Programme.from_content(load_schedule(data, source, **options))
    return Core(settings, db, programme, BEFORE), programme


def say(core: Core, text: str, locale: str = "en") -> str:
    return ask(core, text, locale=locale).plain_text


def test_the_two_new_formats_are_detected_from_their_content() -> None:
    assert detect(fixture("pyconfr-schedule.json"), "renamed.dat").format == "pretalx API"
    assert detect(fixture("coscup-session.json"), "renamed.dat").format == "COSCUP/OPass session.json"


def test_a_saved_pretalx_file_keeps_a_workshop_given_twice(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("pyconfr-schedule.json"), "schedule.json")
    assert sorted(t.id for t in programme.talks) == [1, 2, 3, 4]  # short numbers, in time order
    first, second = (t for t in programme.talks if t.code == "BE3RUH")
    assert (first.id, second.id, second.repeat_of) == (2, 4, 2)
    assert "10:30–12:00 LANG8 #2 Ready, Set, Publish!" in say(core, "/agenda 1")
    assert "14:00–15:30 LANG9 #4 Ready, Set, Publish!" in say(core, "/agenda 2")
    card = say(core, "/talk 2")
    assert "Sat 31 Oct 10:30–12:00 (UTC+1)" in card
    assert "🔁 Also given: Sun 1 Nov 14:00–15:30 (UTC+1), LANG9 #4" in card
    assert "🔁 同一场也在：" in say(core, "/talk 4", locale="zh") and "#2" in say(core, "/talk 4")
    ask(core, "/sub 4", locale="en")  # the Sunday run: that is the one /my lists and reminds of
    mine = say(core, "/my")
    assert "Sun 1 Nov" in mine and "14:00" in mine and "10:30" not in mine
    assert "Linda uses Python" in say(core, "/speaker Linda Kolb")


def test_coscup_session_json_in_traditional_chinese(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("coscup-session.json"), "session.json")
    assert len(programme.talks) == 4  # the session without a start is not on the agenda
    assert programme.conference.timezone == "Etc/GMT-8" and len(programme.conference.rooms) == 4
    rust = next(t for t in programme.talks if t.code == "P3MZRT")
    zh = say(core, f"/talk {rust.id}", locale="zh")
    assert "用 Rust 撰寫 Linux 核心驅動程式" in zh and "Rust 社群議程軌" in zh and "陈志明" not in zh
    en = say(core, f"/talk {rust.id}")
    assert "Writing Linux Kernel Drivers in Rust" in en and "Rust Community Track" in en
    assert "Sat 8 Aug 10:00–10:30 (UTC+8)" in en and "TR211" in en
    workshop = next(t for t in programme.talks if t.code == "W8ZKDL")
    assert workshop.kind == "workshop" and workshop.tags_zh == ["中階"]
    assert "網路抖動的觀測與排查" in say(core, "/search 网络抖动", locale="zh")  # Simplified finds Traditional
    assert "Observing Network Jitter" in say(core, "/search jitter")
    lin = say(core, "/speaker 林雅婷")
    assert "Open source community organizer." in lin and "#1" in lin and "#4" in lin
    assert "視聽館" in say(core, "/rooms", locale="zh") and "Audio-Visual Hall" in say(core, "/rooms")


def test_the_welcome_of_an_imported_conference_names_its_own_topics(settings: Settings, db: Database) -> None:
    core, _ = chat(settings, db, fixture("coscup-session.json"), "session.json", name="COSCUP 2026")
    en, zh = say(core, "/start"), say(core, "/start", locale="zh")
    assert "Welcome to COSCUP 2026!" in en and "like “Community” or “Rust”" in en
    assert "比如 “社群” 或 “核心”" in zh
    assert "XDP" not in en + zh and "网络" not in en + zh
    assert "e.g. /search Community" in say(core, "/search")


def test_cli_name_names_the_conference_and_its_directory(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "session.json"
    source.write_bytes(fixture("coscup-session.json"))
    result = runner.invoke(app, ["import", str(source), "--name", "開源人年會 2026", "--name-en", "COSCUP 2026"])
    assert result.exit_code == 0, result.output
    assert "into content/coscup-2026" in result.output
    conference = load_content(tmp_path / "content" / "coscup-2026").conference
    assert (conference.name, conference.name_en, conference.id) == ("開源人年會 2026", "COSCUP 2026", "coscup-2026")


def _edited(remove: str, add: dict[str, Any] | None) -> bytes:
    """The PyConFR file with one submission taken out and perhaps one put in (earliest of all)."""
    data = json.loads(fixture("pyconfr-schedule.json"))
    for day in data["schedule"].values():
        for minute in day.values():
            for room, sub in list(minute.items()):
                if sub["code"] == remove:
                    del minute[room]
    if add is not None:
        data["schedule"]["2026-10-31"]["500"] = {"25": add}
    return json.dumps(data).encode()


def _talk(code: str, title: str, start: str) -> dict[str, Any]:
    room = {"id": 25, "name": {"en": "MARI/SUGGAR"}}
    slot = {"id": 1, "room": room, "start": start, "end": start[:11] + "08:45:00+01:00"}
    return {"code": code, "title": title, "speakers": [], "state": "confirmed", "slots": [slot]}


def test_talk_numbers_survive_reimports_and_a_removed_number_is_never_reused(tmp_path: Path) -> None:
    source, out = tmp_path / "schedule.json", tmp_path / "pyconfr"
    source.write_bytes(fixture("pyconfr-schedule.json"))
    assert runner.invoke(app, ["import", str(source), "--output", str(out)]).exit_code == 0
    first = {(t.code, t.repeat_of is not None): t.id for t in load_content(out).talks}
    assert sorted(first.values()) == [1, 2, 3, 4]
    # the mypy talk (#3) withdrawn, a breakfast talk added before everything else
    source.write_bytes(_edited("K9LMQA", _talk("EARLY1", "Café & Python", "2026-10-31T08:15:00+01:00")))
    result = runner.invoke(app, ["import", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    second = {(t.code, t.repeat_of is not None): t.id for t in load_content(out).talks}
    assert second == {**{k: v for k, v in first.items() if k[0] != "K9LMQA"}, ("EARLY1", False): 5}
    # the next import adds another talk: it gets 6, not the withdrawn talk's 3
    source.write_bytes(_edited("K9LMQA", _talk("LATE01", "Lightning talks", "2026-11-01T08:15:00+01:00")))
    assert runner.invoke(app, ["import", str(source), "--output", str(out)]).exit_code == 0
    third = {t.code: t.id for t in load_content(out).talks if t.repeat_of is None}
    assert third == {"RNKPFC": 1, "BE3RUH": 2, "LATE01": 6}


def _pentabarf_without_city() -> bytes:
    xml = fixture("fosdem2018-pentabarf.xml").replace(b"<city>Brussels</city>", b"<city/>")
    return xml.replace(b"<venue>ULB (Universit\xc3\xa9 Libre de Bruxelles)</venue>", b"<venue>ULB</venue>")


def test_a_schedule_with_no_zone_anywhere_is_refused_naming_timezone(tmp_path: Path) -> None:
    try:
        load_schedule(_pentabarf_without_city(), "fosdem2018.xml")
    except ScheduleError as exc:
        assert "names no time zone" in str(exc) and "--timezone Europe/" in str(exc)
    else:
        raise AssertionError("a schedule without any zone was read as UTC")
    source = tmp_path / "fosdem2018.xml"
    source.write_bytes(_pentabarf_without_city())
    result = runner.invoke(app, ["import", str(source), "--output", str(tmp_path / "out")])
    assert result.exit_code == 1 and "--timezone" in result.output and "Traceback" not in result.output
    given = runner.invoke(
        app, ["import", str(source), "--output", str(tmp_path / "out"), "--timezone", "Europe/Brussels"]
    )
    assert given.exit_code == 0 and "times in Europe/Brussels" in given.output


def test_the_zone_comes_from_the_city_or_the_venue(settings: Settings, db: Database) -> None:
    in_venue = fixture("fosdem2018-pentabarf.xml").replace(b"<city>Brussels</city>", b"<city/>")
    core, programme = chat(settings, db, in_venue, "fosdem2018.xml")  # "Université Libre de Bruxelles"
    assert programme.conference.timezone == "Europe/Brussels"
    assert "Sat 3 Feb 09:30–09:55 (UTC+1)" in say(core, "/talk 6588")
    taipei = _pentabarf_without_city().replace(b"<venue>ULB</venue>", b"<venue>Academia Sinica, Taipei</venue>")
    assert load_schedule(taipei, "fosdem2018.xml").conference.timezone == "Asia/Taipei"  # type: ignore[union-attr]
