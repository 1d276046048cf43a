"""Slides, recordings and room streams read from each schedule format: small files shaped like the
real ones (31C3's frab XML, Camp 2019's c3voc JSON, a pretalx API bundle), and the real files."""

from __future__ import annotations

import json
from pathlib import Path

from bot.programme.content.importers import load_schedule
from bot.programme.content.schema import ContentFile, Talk

REAL = Path(__file__).resolve().parents[2] / "data"

FRAB = b"""<?xml version='1.0' encoding='utf-8' ?>
<schedule>
<version>1.0</version>
<conference>
<acronym>31c3</acronym>
<title>31. Chaos Communication Congress</title>
<start>2014-12-27</start>
<end>2014-12-27</end>
<days>1</days>
<base_url>https://events.ccc.de/congress/2014/Fahrplan/</base_url>
</conference>
<day date='2014-12-27' end='2014-12-28T04:00:00+01:00' index='1' start='2014-12-27T11:00:00+01:00'>
<room name='Saal 1'>
<event guid='8c4e647f-813e-41ef-b05b-65469dd841c3' id='6571'>
<date>2014-12-27T11:30:00+01:00</date>
<start>11:30</start>
<duration>01:00</duration>
<room>Saal 1</room>
<recording>
<license></license>
<optout>false</optout>
</recording>
<title>31C3 Keynote</title>
<persons><person id='4871'>Alec Empire</person></persons>
<links>
<link href='http://example.org/background'>Background reading</link>
<link href='https://media.ccc.de/v/31c3_-_6571_-_en_-_saal_1_-_201412271130_-_31c3_keynote'>Video</link>
</links>
<attachments>
<attachment href='/system/attachments/1/original/keynote.pdf'>Slides</attachment>
</attachments>
</event>
<event guid='29aecfd7-2e44-4f49-ab86-29b5e0877325' id='6561'>
<date>2014-12-27T13:00:00+01:00</date>
<start>13:00</start>
<duration>00:30</duration>
<room>Saal 1</room>
<video_download_url>https://cdn.media.ccc.de/congress/2014/h264-hd/31c3-6561-en.mp4</video_download_url>
<title>Opening Event</title>
<persons><person id='1544'>erdgeist</person></persons>
<links>
<link href='https://jhalderm.com/pub/papers/ivoting-ccs14.pdf'>Our full research paper</link>
</links>
</event>
</room>
</day>
</schedule>
"""

C3VOC_V1 = {
    "schedule": {
        "version": "1.0",
        "base_url": "https://fahrplan.events.ccc.de/camp/2019/Fahrplan/",
        "conference": {
            "acronym": "camp2019",
            "title": "Chaos Communication Camp 2019",
            "time_zone_name": "Europe/Berlin",
            "rooms": [{"name": "Curie", "stream": "https://streaming.media.ccc.de/camp2019/curie"}],
            "days": [
                {
                    "index": 1,
                    "date": "2019-08-21",
                    "rooms": {
                        "Curie": [
                            {
                                "id": 10178,
                                "guid": "6b0a1f6c-0000-4000-8000-000000010178",
                                "date": "2019-08-21T14:00:00+02:00",
                                "duration": "01:00",
                                "room": "Curie",
                                "title": "Hacking Containers and Kubernetes",
                                "type": "lecture",
                                "persons": [{"id": 9001, "public_name": "someone"}],
                                "links": [{"url": "https://edri.org", "title": "EDRi Website"}],
                                "attachments": [
                                    {
                                        "url": "/system/event_attachments/attachments/000/003/792/original/"
                                        "Hacking_Containers_and_Kubernetes.pdf?1566398735",
                                        "title": "Slides",
                                    }
                                ],
                                "video_download_url": "https://cdn.media.ccc.de/events/camp2019/h264-hd/10178.mp4",
                            },
                            {
                                "id": 10386,
                                "guid": "a0a0fcfe-b7fb-46e3-84b6-97a5406016b4",
                                "date": "2019-08-21T11:00:00+02:00",
                                "duration": "00:30",
                                "room": "Curie",
                                "title": "Opening Ceremony",
                                "type": "lecture",
                                "persons": [{"id": 7797, "public_name": "jinxx"}],
                                "links": [],
                                "attachments": [],
                            },
                        ]
                    },
                }
            ],
        },
    }
}

C3VOC_V2 = {
    "$schema": "https://c3voc.de/schedule/schema.json",
    "schedule": {
        "version": "2.0",
        "conference": {
            "acronym": "demo",
            "title": "Demo",
            "time_zone_name": "Europe/Berlin",
            "rooms": [
                {"guid": "r1", "name": "Saal 1", "stream": "https://live.example.org/saal1"},
                {"guid": "r2", "name": "Saal 2", "stream": "s2"},  # a stream's name, not a link
            ],
        },
        "events": [
            {
                "guid": "e1",
                "id": 1,
                "title": "Streams everywhere",
                "start": "2023-12-27T11:00:00+01:00",
                "end": "2023-12-27T11:40:00+01:00",
                "room": {"guid": "r2", "name": "Saal 2"},
                "links": [{"url": "https://media.ccc.de/v/demo-1-streams", "title": "Recording"}],
            }
        ],
    },
}

PRETALX = {
    "event": {"slug": "pyconcn", "name": {"en": "PyCon China"}, "timezone": "Asia/Shanghai"},
    "rooms": [{"id": 1, "name": {"en": "Hall A"}}],
    "speakers": [{"code": "ABCD", "name": "Lin"}],
    "submissions": [
        {
            "code": "XDTLAR",
            "title": "Async all the way",
            "state": "confirmed",
            "speakers": ["ABCD"],
            "slots": [{"room": 1, "start": "2025-10-18T10:00:00+08:00", "end": "2025-10-18T10:30:00+08:00"}],
            "resources": [
                {
                    "resource": "https://pretalx.com/media/pyconcn/submissions/XDTLAR/resources/demo.zip",
                    "description": "Demo code",
                },
                {
                    "resource": "https://pretalx.com/media/pyconcn/submissions/XDTLAR/resources/async.pdf",
                    "description": "PDF",
                },
            ],
            "recording_url": "https://www.bilibili.com/video/BV1xx411c7mD",
        },
        {
            "code": "QWERTY",
            "title": "Typing faster",
            "state": "confirmed",
            "speakers": ["ABCD"],
            "slots": [{"room": 1, "start": "2025-10-18T11:00:00+08:00", "end": "2025-10-18T11:30:00+08:00"}],
            "resources": [{"link": "https://speakerdeck.com/lin/typing", "description": "My slides"}],
        },
    ],
}


def talk(content: ContentFile, title: str) -> Talk:
    return next(t for t in content.talks if t.title == title)


def test_frab_xml_reads_the_recording_and_slides_from_links_attachments_and_the_video_url() -> None:
    content = load_schedule(FRAB, "31c3.xml")
    keynote = talk(content, "31C3 Keynote")
    assert keynote.recording == "https://media.ccc.de/v/31c3_-_6571_-_en_-_saal_1_-_201412271130_-_31c3_keynote"
    assert keynote.slides == "https://events.ccc.de/system/attachments/1/original/keynote.pdf"  # relative: base_url
    opening = talk(content, "Opening Event")
    assert opening.recording == "https://cdn.media.ccc.de/congress/2014/h264-hd/31c3-6561-en.mp4"
    assert opening.slides is None  # a research paper is not the slides
    assert opening.links == ["https://jhalderm.com/pub/papers/ivoting-ccs14.pdf"]  # still in the links


def test_c3voc_v1_reads_the_room_stream_the_video_and_the_slides_attachment() -> None:
    content = load_schedule(json.dumps(C3VOC_V1).encode(), "camp2019.json")
    assert content.conference is not None
    assert [r.stream for r in content.conference.rooms] == ["https://streaming.media.ccc.de/camp2019/curie"]
    containers = talk(content, "Hacking Containers and Kubernetes")
    assert containers.recording == "https://cdn.media.ccc.de/events/camp2019/h264-hd/10178.mp4"
    assert containers.slides == (
        "https://fahrplan.events.ccc.de/system/event_attachments/attachments/000/003/792/original/"
        "Hacking_Containers_and_Kubernetes.pdf?1566398735"
    )
    opening = talk(content, "Opening Ceremony")
    assert (opening.slides, opening.recording) == (None, None)


def test_c3voc_v2_reads_room_streams_that_are_links_and_a_media_ccc_de_recording() -> None:
    content = load_schedule(json.dumps(C3VOC_V2).encode(), "schedule.json")
    assert content.conference is not None
    assert {r.name: r.stream for r in content.conference.rooms} == {
        "Saal 1": "https://live.example.org/saal1",
        "Saal 2": None,
    }
    assert talk(content, "Streams everywhere").recording == "https://media.ccc.de/v/demo-1-streams"


def test_pretalx_reads_slides_from_resources_and_the_recording_url() -> None:
    content = load_schedule(json.dumps(PRETALX).encode(), "pretalx.json")
    async_talk = talk(content, "Async all the way")
    assert async_talk.slides == "https://pretalx.com/media/pyconcn/submissions/XDTLAR/resources/async.pdf"
    assert async_talk.recording == "https://www.bilibili.com/video/BV1xx411c7mD"
    typing = talk(content, "Typing faster")
    assert (typing.slides, typing.recording) == ("https://speakerdeck.com/lin/typing", None)


def test_the_real_files_give_slides_only_where_a_link_says_so() -> None:
    congress = load_schedule((REAL / "31c3-schedule.xml").read_bytes(), "31c3-schedule.xml")
    slides = {t.title: t.slides for t in congress.talks if t.slides}
    assert slides["Practical EMV PIN interception and fraud detection"] == (
        "http://dev.inversepath.com/download/emv/emv_2014.pdf"
    )
    assert not any(t.recording for t in congress.talks)  # 2014's export links no recordings
    camp = load_schedule((REAL / "camp2019-schedule.json").read_bytes(), "camp2019-schedule.json")
    camp_slides = {t.title: t.slides for t in camp.talks if t.slides}
    assert camp_slides["DoH or Don't"] == (  # an attachment titled "Doh or Don't slides", relative in the file
        "https://fahrplan.events.ccc.de/system/event_attachments/attachments/000/003/790/original/DoH-or-Dont.pdf?1566397329"
    )
    assert "Robotron - a tech opera" not in camp_slides  # its YouTube links and pictures are not slides
