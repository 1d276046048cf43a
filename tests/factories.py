"""Small content built in code, for tests that don't need the bundled conference."""

from __future__ import annotations

from bot.content.programme import Programme
from bot.content.schema import Break, Conference, ContentFile, Room, Speaker, Talk, Track


def small_content() -> ContentFile:
    """Two days, two rooms, five talks (one with HTML-like characters), lunch."""
    conf = Conference(
        id="testconf",
        name="测试大会",
        name_en="Test Conference",
        timezone="Asia/Shanghai",
        rooms=[Room(id="A", name="A厅", name_en="Hall A"), Room(id="B", name="B厅", name_en="Hall B")],
        tracks=[
            Track(id="net", name="网络", name_en="Networking"),
            Track(id="obs", name="可观测", name_en="Observability"),
        ],
    )
    speakers = [
        Speaker(id="chenlijun", name="陈莉君", name_en="Chen Lijun", affiliation="西安邮电大学", bio="Linux内核专家"),
        Speaker(id="alice", name="Alice Wang", affiliation="Example Corp", bio="XDP hacker"),
    ]
    talks = [
        Talk(
            id=1,
            kind="keynote",
            title="从Linux内核到eBPF",
            title_en="From the Linux kernel to eBPF",
            speakers=["chenlijun"],
            room="A",
            start="2026-12-12 09:00",
            duration=30,
            tags=["kernel"],
            tags_zh=["内核"],
        ),
        Talk(
            id=2,
            title="XDP <fast> & furious",
            title_en="XDP <fast> & furious",
            abstract="Packets & <b>bold</b> claims",
            speakers=["alice"],
            track="net",
            room="A",
            start="2026-12-12 10:00",
            duration=40,
            tags=["networking", "XDP"],
            tags_zh=["网络"],
        ),
        Talk(
            id=3,
            title="基于eBPF的可观测",
            title_en="Observability with eBPF",
            speakers=["alice"],
            track="obs",
            room="B",
            start="2026-12-12 10:00",
            duration=40,
            tags=["observability"],
            tags_zh=["可观测"],
        ),
        Talk(
            id=4,
            title="网络抖动排查",
            title_en="Hunting network jitter",
            speakers=["chenlijun"],
            track="net",
            room="A",
            start="2026-12-13 10:00",
            duration=40,
            tags=["networking"],
            tags_zh=["网络"],
        ),
        Talk(
            id=5,
            title="调度器观测",
            title_en="Watching the scheduler",
            speakers=["alice"],
            track="obs",
            room="B",
            start="2026-12-13 11:00",
            duration=40,
            tags=["scheduling"],
            tags_zh=["调度"],
        ),
    ]
    breaks = [Break(title="午餐", title_en="Lunch", kind="lunch", start="2026-12-12 12:00", duration=60)]
    return ContentFile(conference=conf, speakers=speakers, talks=talks, breaks=breaks)


def small_programme() -> Programme:
    """:func:`small_content` indexed."""
    return Programme.from_content(small_content())
