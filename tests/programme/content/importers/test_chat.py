"""Every format, imported from a file that uses its real schema, then chatted with through the core:
the agenda, a talk, a speaker and a title search, with times as the source states them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.importers import detect, load_schedule
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.helpers import ask, press
from tests.programme.content.importers.conftest import REAL, fixture

BEFORE = FakeClock(datetime(2014, 1, 1, tzinfo=ZoneInfo("UTC")))  # before every conference here


def chat(settings: Settings, db: Database, data: bytes, name: str, **options: str) -> tuple[Core, Programme]:
    programme = Programme.from_content(load_schedule(data, name, **options))  # type: ignore[arg-type]
    return Core(settings, db, programme, BEFORE), programme


def say(core: Core, text: str) -> str:
    return ask(core, text, locale="en").plain_text


def test_c3voc_v1_without_zone_name_shows_the_printed_times(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("c3voc-v1-no-zone.json"), "democon.json")
    agenda = say(core, "/agenda 1")
    assert "📅 Day 1 · Sat 7 Feb (UTC+1)" in agenda
    assert "09:30–10:15 Main Stage #311 Keynote: Open Data for Everyone — mo" in agenda
    assert "14:00–15:30 Workshop Room #313 Hands-on: Mapping Open Data" in agenda
    talk = say(core, "/talk 311")
    assert "Sat 7 Feb 09:30–10:15 (UTC+1)" in talk and "Keynote" in talk
    assert "Why open data matters.\n\n• licences\n• formats" in talk and "<" not in talk
    assert "See https://opendata.example/ for the data sets." in talk
    assert "#312 Ranking Rivers with SQL" in say(core, "/search rivers")
    assert "Window functions & CTEs over river gauges." in say(core, "/talk 312")
    assert "Sun 8 Feb 17:00–17:20 (UTC+1)" in say(core, "/talk 314")


def test_two_people_called_mo_and_Mo_stay_two_and_are_a_choice(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("c3voc-v1-no-zone.json"), "democon.json")
    assert sorted((s.id, s.name) for s in programme.speakers.values()) == [("moaaaa", "mo"), ("mobbbb", "Mo")]
    reply = ask(core, "/speaker mo", locale="en")
    assert "Several speakers match" in reply.plain_text
    assert [b.action for row in reply.button_rows for b in row] == ["speaker moaaaa", "speaker mobbbb"]
    nerd = press(core, "speaker moaaaa", locale="en").plain_text
    assert "Data nerd." in nerd and "#311" in nerd and "#312" not in nerd
    hydrologist = press(core, "speaker mobbbb", locale="en").plain_text
    assert "Hydrologist." in hydrologist and "#312" in hydrologist and "#311" not in hydrologist


def test_c3voc_v2_events_list(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("c3voc-v2.json"), "39c3.json")
    assert programme.conference.timezone == "Europe/Berlin" and len(programme.talks) == 2
    opening = next(t for t in programme.talks if t.title == "Opening Ceremony")
    assert opening.guid == "270fa44c-821a-577f-8ca3-33e8d4a8c2a7" and opening.code == "HQCCYH"
    agenda = say(core, "/agenda")
    assert f"10:30–11:00 Saal 1 #{opening.id} Opening Ceremony" in agenda
    # 00:15 on the night after the first day is the 28th, in the hall of the event's own room
    racing = say(core, "/search time-trial")
    assert "A Competitive Time-Trial AI" in racing
    ai = next(t for t in programme.talks if t.code == "TPGRNN")
    card = say(core, f"/talk {ai.id}")
    assert "Sun 28 Dec 00:15–00:55 (UTC+1)" in card and "Saal GLITCH" in card and "Security" in card
    assert "Deep reinforcement learning for a racing game" in card
    assert "All challenges and achievements:\n\n• hacking the game\n• a custom gym environment" in card
    assert "Code at the repo (https://example.net/nfs-ai)." in card and "**" not in card
    text = say(core, f"/talk {opening.id}")
    assert "Read the visitor guide (https://events.example.org/congress/2025/guide) first." in text
    assert "Art & Beauty" in text


def test_c3voc_v2_people_called_dash_and_double_dash_stay_two(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("c3voc-v2.json"), "39c3.json")
    dashes = {s.name: s for s in programme.speakers.values() if set(s.name) == {"-"}}
    assert set(dashes) == {"--", "-"} and dashes["--"].id != dashes["-"].id
    assert dashes["--"].bio == "Two dashes. Not one." and dashes["-"].bio == "One dash."
    sebastian = say(core, "/speaker Sebastian Schwarz")
    assert "Former eSports player, now heading a data team." in sebastian


def test_pentabarf_without_event_dates_uses_the_day_and_the_given_zone(settings: Settings, db: Database) -> None:
    core, programme = chat(
        settings, db, fixture("fosdem2018-pentabarf.xml"), "fosdem2018.xml", timezone="Europe/Brussels"
    )
    assert programme.conference.timezone == "Europe/Brussels" and len(programme.talks) == 4
    venue = programme.conference.venue
    assert venue is not None and (venue.name, venue.address) == ("ULB (Université Libre de Bruxelles)", "Brussels")
    assert (str(programme.conference.first_day), str(programme.conference.last_day)) == ("2018-02-03", "2018-02-04")
    welcome = programme.talk(6588)
    assert welcome is not None and welcome.start is not None
    assert welcome.start.isoformat() == "2018-02-03T09:30:00+01:00"
    agenda = say(core, "/agenda 2")
    assert "📅 Day 2 · Sun 4 Feb (UTC+1)" in agenda and "17:00–17:15 Janson #6590 Closing FOSDEM 2018" in agenda
    card = say(core, "/talk 6588")
    assert "Sat 3 Feb 09:30–09:55 (UTC+1)" in card
    assert "FOSDEM welcome and opening talk." in card and "&lt;" not in card and "<p>" not in card
    assert "See the schedule (https://fosdem.org/2018/schedule/) and the https://fosdem.org/2018/ pages." in card
    assert "ownership & borrowing" in say(core, "/talk 5240")
    assert "#6420 Next generation networking" in say(core, "/search networking")


def test_pentabarf_two_people_called_sam(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("fosdem2018-pentabarf.xml"), "fosdem2018.xml")
    networking = programme.talk(6420)
    assert networking is not None and networking.speakers == ["p101", "p202"]
    reply = ask(core, "/speaker Sam", locale="en")
    assert [b.action for row in reply.button_rows for b in row] == ["speaker p101", "speaker p202"]
    assert "#5240" in press(core, "speaker p202", locale="en").plain_text
    assert "#5240" not in press(core, "speaker p101", locale="en").plain_text


def test_pentabarf_without_a_zone_takes_the_zone_of_its_city(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("fosdem2018-pentabarf.xml"), "fosdem2018.xml")
    assert programme.conference.timezone == "Europe/Brussels"  # <city>Brussels</city>
    assert "09:30–09:55 Janson #6588 Welcome to FOSDEM 2018" in say(core, "/agenda 1")
    assert "Sat 3 Feb 09:30–09:55 (UTC+1)" in say(core, "/talk 6588")


def test_pretalx_schedule_xml_keeps_codes_and_the_zone(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("pretalx-schedule.xml"), "schedule.xml")
    talk = programme.talk(4401)
    assert talk is not None and talk.code == "PYASYN" and talk.guid == "9c1f3c4e-6a2b-5f7d-8e9a-0b1c2d3e4f01"
    assert programme.conference.timezone == "Asia/Taipei" and programme.conference.id == "pycon-demo-2026"
    assert talk.speakers == ["linyua"]
    card = say(core, "/talk 4401")
    assert "Sat 5 Sep 09:00–09:40 (UTC+8)" in card
    assert "Structured concurrency with TaskGroup and anyio (https://anyio.readthedocs.io/)." in card
    assert "林雨安" in say(core, "/speaker 林雨安")
    assert "#4401 Asyncio in Practice" in say(core, "/search asyncio")


def test_pretalx_api_dump_of_a_chinese_conference(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, fixture("pretalx-talks-legacy.json"), "sessions.json")
    assert len(programme.talks) == 2  # the third is confirmed but has no slot yet
    assert programme.conference.timezone == "Etc/GMT-8"
    observe = next(t for t in programme.talks if t.code == "K7QWPD")
    card = say(core, f"/talk {observe.id}")
    assert "10:00–10:40 (UTC+8)" in card and "Main Hall" in card and "Observability" in card
    assert "介绍 bpftrace 与 Cilium (https://cilium.io) 的实践。" in card
    lightning = next(t for t in programme.talks if t.code == "M2NXTR")
    assert lightning.kind == "lightning"
    wangs = ask(core, "/speaker 王伟", locale="en")
    assert [b.action for row in wangs.button_rows for b in row] == ["speaker wangw1", "speaker wangw2"]
    assert "云原生工程师" in press(core, "speaker wangw1", locale="en").plain_text
    assert "用 eBPF 观测 Kubernetes 网络" in say(core, "/search Kubernetes")


def test_real_camp2019_json_keeps_person_ids_and_berlin_times(settings: Settings, db: Database) -> None:
    core, programme = chat(settings, db, (REAL / "camp2019-schedule.json").read_bytes(), "camp2019.json")
    assert len(programme.talks) == 79 and len(programme.speakers) == 90
    assert programme.conference.timezone == "Europe/Berlin"
    mos = sorted(s.name for s in programme.speakers.values() if s.name.casefold() == "mo")
    assert mos == ["Mo", "mo"]
    opening = programme.talk(10386)
    assert opening is not None and opening.guid == "a0a0fcfe-b7fb-46e3-84b6-97a5406016b4"
    assert "Wed 21 Aug 11:00–11:30 (UTC+2)" in say(core, "/talk 10386")
    assert "#10386 Opening Ceremony" in say(core, "/search opening ceremony")


@pytest.mark.parametrize(
    ("name", "formatted"),
    [
        ("c3voc-v1-no-zone.json", "c3voc schedule.json v1"),
        ("c3voc-v2.json", "c3voc schedule.json v2"),
        ("fosdem2018-pentabarf.xml", "Pentabarf XML"),
        ("pretalx-schedule.xml", "frab XML"),
        ("pretalx-talks-legacy.json", "pretalx API"),
    ],
)
def test_each_fixture_is_detected_from_its_content(name: str, formatted: str) -> None:
    assert detect(fixture(name), "renamed.dat").format == formatted


def test_pentabarf_event_after_midnight_belongs_to_the_next_date(settings: Settings, db: Database) -> None:
    xml = fixture("fosdem2018-pentabarf.xml").replace(
        b"<day_change>09:00:00</day_change>", b"<day_change>04:00</day_change>"
    )
    xml = xml.replace(b"<start>17:00</start>", b"<start>00:30</start>")  # the closing, day 2, after midnight
    core, programme = chat(settings, db, xml, "fosdem2018.xml", timezone="Europe/Brussels")
    closing = programme.talk(6590)
    assert closing is not None and closing.start is not None
    assert closing.start.isoformat() == "2018-02-05T00:30:00+01:00"
    assert "Mon 5 Feb 00:30–00:45 (UTC+1)" in say(core, "/talk 6590")
