"""A deterministic, realistic N-talk programme for benchmarks (Chinese and English text).

``generate(2000)`` gives 2 000 talks over 10 days and 10 rooms (20 half-hour slots a day,
lunch as a break), about 1 000 speakers with Chinese names, pinyin ``name_en``, affiliations
and bios, and titles, abstracts, outlines and tags built from eBPF topics and tools in both
languages. The same ``seed`` always gives the same programme.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from pypinyin import lazy_pinyin

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Conference, ContentFile, Room, Speaker, Talk, Track

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慧建国峰宇鹏浩晨瑞琳博文"
TOPICS = [  # (Chinese, English tag, track)
    ("网络", "networking", "networking"),
    ("安全", "security", "security"),
    ("可观测", "observability", "observability"),
    ("追踪", "tracing", "observability"),
    ("调度", "scheduling", "kernel"),
    ("容器", "containers", "cloudnative"),
    ("硬件卸载", "hardware", "kernel"),
    ("内核", "kernel", "kernel"),
    ("数据库", "database", "observability"),
    ("性能分析", "performance", "kernel"),
    ("存储", "storage", "kernel"),
    ("虚拟化", "virtualization", "cloudnative"),
    ("服务网格", "service mesh", "cloudnative"),
    ("网络抖动", "latency", "networking"),
    ("负载均衡", "load balancing", "networking"),
    ("入侵检测", "intrusion detection", "security"),
]
TOOLS = [
    "XDP",
    "kprobe",
    "uprobe",
    "BTF",
    "CO-RE",
    "libbpf",
    "bpftrace",
    "Cilium",
    "Falco",
    "Pixie",
    "Katran",
    "DeepFlow",
    "nettrace",
    "surftrace",
    "Tetragon",
    "bcc",
    "tc",
    "LSM",
    "sched_ext",
    "AF_XDP",
    "Coolbpf",
    "eunomia-bpf",
]
TEMPLATES = [  # (Chinese, English) with {tool} and {zh}/{en}
    ("基于{tool}的{zh}实践", "{En} with {tool} in practice"),
    ("用{tool}解决{zh}问题", "Solving {en} problems with {tool}"),
    ("{tool}在{zh}场景中的应用", "{tool} for {en}"),
    ("大规模{zh}：{tool}落地经验", "{En} at scale: lessons from running {tool}"),
    ("深入理解{tool}与{zh}", "Understanding {tool} and {en}"),
    ("从零构建{zh}工具：{tool}", "Building {en} tools from scratch with {tool}"),
    ("{zh}的下一步：{tool}", "What comes next for {en}: {tool}"),
    ("云原生{zh}与{tool}", "Cloud-native {en} and {tool}"),
]
COMPANIES = [
    "阿里云",
    "腾讯云",
    "华为",
    "字节跳动",
    "蚂蚁集团",
    "中兴通讯",
    "西安邮电大学",
    "浙江大学",
    "Isovalent",
    "DatenLord",
    "龙蜥社区",
    "Example Corp",
]
TRACKS = [
    ("networking", "网络", "Networking"),
    ("security", "安全", "Security"),
    ("observability", "可观测与追踪", "Observability & Tracing"),
    ("kernel", "内核与硬件", "Kernel & Hardware"),
    ("cloudnative", "容器与云原生", "Containers & Cloud Native"),
]


def _speaker(rng: random.Random, i: int) -> Speaker:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    syllables = lazy_pinyin(name)
    company = rng.choice(COMPANIES)
    zh, _, _ = rng.choice(TOPICS)
    name_en = f"{syllables[0].title()} {''.join(syllables[1:]).title()}"
    return Speaker(
        id=f"s{i}",
        name=name,
        name_en=name_en,
        affiliation=f"{company}工程师",
        bio=f"{name}，{company}工程师，长期从事{zh}方向的研发工作，{rng.choice(TOOLS)} 社区贡献者。",
    )


def generate(n_talks: int = 2000, seed: int = 7) -> Programme:
    """``n_talks`` talks over several days and rooms, with speakers, tags and abstracts."""
    rng = random.Random(seed)
    n_rooms, slots_per_day = 10, 20
    rooms = [Room(id=f"R{i}", name=f"{i}号厅", name_en=f"Hall {i}") for i in range(1, n_rooms + 1)]
    tracks = [Track(id=tid, name=zh, name_en=en) for tid, zh, en in TRACKS]
    speakers = [_speaker(rng, i) for i in range(max(1, n_talks // 2))]
    first_day = datetime(2027, 5, 1, 9, 0)
    talks, days = [], 0
    for i in range(n_talks):
        zh, en, track = rng.choice(TOPICS)
        tool = rng.choice(TOOLS)
        title_zh, title_en = rng.choice(TEMPLATES)
        fill = {"tool": tool, "zh": zh, "en": en, "En": en[0].upper() + en[1:]}
        slot, room = divmod(i, n_rooms)
        day, slot_in_day = divmod(slot, slots_per_day)
        days = day + 1
        start = first_day + timedelta(days=day, minutes=30 * slot_in_day + (60 if slot_in_day >= 6 else 0))
        who = [f"s{rng.randrange(len(speakers))}" for _ in range(rng.choice((1, 1, 1, 2)))]
        talks.append(
            Talk(
                id=i + 1,
                title=title_zh.format(**fill),
                title_en=title_en.format(**fill),
                abstract=(
                    f"本次分享介绍如何用 eBPF 和 {tool} 解决{zh}问题，包括整体设计、内核实现与生产环境中的经验。"
                    f"我们在{rng.choice(COMPANIES)}的数千台服务器上验证了这一方案，"
                    f"开销低于百分之{rng.randint(1, 5)}。"
                ),
                outline=[f"{zh}的挑战", f"{tool} 的原理", "设计与实现", "总结与展望"],
                tags=[en, tool.lower() if rng.random() < 0.3 else tool],
                tags_zh=[zh],
                speakers=list(dict.fromkeys(who)),
                track=track,
                room=rooms[room].id,
                start=start,
                duration=30,
            )
        )
    breaks = [
        Break(title="午餐", title_en="Lunch", kind="lunch", start=first_day + timedelta(days=d, hours=3), duration=60)
        for d in range(days)
    ]
    conference = Conference(
        id="bench", name="基准大会", name_en="Bench Conference", timezone="Asia/Shanghai", rooms=rooms, tracks=tracks
    )
    return Programme.from_content(ContentFile(conference=conference, speakers=speakers, talks=talks, breaks=breaks))


FOSDEM_TOPICS = [
    "Rust", "Go", "PostgreSQL", "Kubernetes", "eBPF", "RISC-V", "Linux kernel", "Firefox", "LibreOffice",
    "Python", "WebAssembly", "OpenStreetMap", "GNOME", "KDE", "Debian", "Nix", "LLVM", "Matrix", "GStreamer",
    "FreeBSD", "SQLite", "OpenJDK", "Ruby", "Julia", "Haskell", "Erlang", "Zig", "Mozilla", "Jitsi", "Tor",
]  # fmt: skip
FOSDEM_TITLES = [
    "What's new in {t}", "{t} at scale", "Debugging {t} in production", "A gentle introduction to {t}",
    "{t}: the good, the bad and the ugly", "Building a community around {t}", "Ten years of {t}",
    "Security hardening for {t}", "Profiling {t} with open tools", "{t} on embedded devices",
]  # fmt: skip
FIRST = ["Alex", "Sam", "Kim", "Maria", "Jan", "Chen", "Ana", "Luca", "Noor", "Ole", "Priya", "Tomás", "Yuki", "mo"]
LAST = ["Peeters", "Janssens", "Smith", "Müller", "Rossi", "Wang", "Novak", "Silva", "Kowalski", "Dubois", "Ito"]


def fosdem_xml(n_talks: int = 1000, n_rooms: int = 40, seed: int = 7) -> bytes:
    """A FOSDEM-sized Pentabarf ``schedule.xml`` (FOSDEM's own export format, without a per-event
    ``<date>`` as in 2018): two days, ``n_rooms`` devrooms from 09:00, talks of 15-50 minutes back
    to back, HTML abstracts with links and lists, one or two speakers each with a person id (some
    people share a display name). The same seed always gives the same bytes."""
    from xml.etree import ElementTree as ET

    rng = random.Random(seed)
    root = ET.Element("schedule")
    conf = ET.SubElement(root, "conference")
    for tag, text in (
        ("title", "FOSDEM-sized bench"),
        ("venue", "ULB"),
        ("city", "Brussels"),
        ("start", "2027-02-06"),
        ("end", "2027-02-07"),
        ("days", "2"),
        ("day_change", "09:00:00"),
        ("timeslot_duration", "00:05:00"),
    ):
        ET.SubElement(conf, tag).text = text
    people = [(1000 + i, f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(int(n_talks * 0.9))]
    per_room_day = -(-n_talks // (2 * n_rooms))
    event_id = 5000
    for day_index, day in enumerate(("2027-02-06", "2027-02-07"), 1):
        day_el = ET.SubElement(root, "day", index=str(day_index), date=day)
        for r in range(n_rooms):
            name = f"{'K' if r < 4 else 'H'}.{1000 + r * 7} ({FOSDEM_TOPICS[r % len(FOSDEM_TOPICS)]})"
            room_el = ET.SubElement(day_el, "room", name=name)
            minute = 9 * 60
            for _ in range(per_room_day):
                if event_id - 5000 >= n_talks:
                    break
                length = rng.choice((15, 25, 25, 30, 40, 50))
                topic = rng.choice(FOSDEM_TOPICS)
                ev = ET.SubElement(room_el, "event", id=str(event_id))
                ET.SubElement(ev, "start").text = f"{minute // 60:02d}:{minute % 60:02d}"
                ET.SubElement(ev, "duration").text = f"00:{length:02d}"
                ET.SubElement(ev, "room").text = name
                ET.SubElement(ev, "slug").text = f"talk_{event_id}"
                ET.SubElement(ev, "title").text = rng.choice(FOSDEM_TITLES).format(t=topic)
                ET.SubElement(ev, "subtitle")
                ET.SubElement(ev, "track").text = f"{topic} devroom"
                ET.SubElement(ev, "type").text = rng.choice(("devroom", "devroom", "maintrack", "lightningtalk"))
                ET.SubElement(ev, "language")
                ET.SubElement(ev, "abstract").text = (
                    f"<p>How we use <strong>{topic}</strong> in {rng.choice(FOSDEM_TOPICS)} projects, "
                    f'and what we learned. Code: <a href="https://example.org/{event_id}">example.org/{event_id}</a>.</p>'
                )
                ET.SubElement(
                    ev, "description"
                ).text = f"<ul><li>the state of {topic}</li><li>benchmarks</li><li>what comes next</li></ul>"
                persons = ET.SubElement(ev, "persons")
                for pid, pname in rng.sample(people, rng.choice((1, 1, 1, 2))):
                    ET.SubElement(persons, "person", id=str(pid)).text = pname
                links = ET.SubElement(ev, "links")
                ET.SubElement(links, "link", href=f"https://example.org/{event_id}/slides.pdf").text = "Slides"
                event_id += 1
                minute += length + 5
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
