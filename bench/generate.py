"""A deterministic, realistic N-talk programme for benchmarks (Chinese and English text)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.content.programme import Programme
from bot.content.schema import Conference, ContentFile, Room, Speaker, Talk, Track

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
TOPICS_ZH = ["网络", "安全", "可观测", "追踪", "调度", "容器", "硬件", "内核", "数据库", "性能", "存储", "虚拟化"]
TOPICS_EN = ["networking", "security", "observability", "tracing", "scheduling", "containers", "hardware",
             "kernel", "database", "performance", "storage", "virtualization"]
TOOLS = ["XDP", "kprobe", "uprobe", "BTF", "CO-RE", "libbpf", "bpftrace", "Cilium", "Falco", "Pixie", "Katran",
         "DeepFlow", "nettrace", "surftrace", "Tetragon", "bcc", "tc", "LSM", "sched_ext", "AF_XDP"]


def generate(n_talks: int = 2000, seed: int = 7) -> Programme:
    """``n_talks`` talks over several days and rooms, with speakers, tags and abstracts."""
    rng = random.Random(seed)
    days = max(2, n_talks // 200)
    rooms = [Room(id=f"R{i}", name=f"{i}号厅", name_en=f"Hall {i}") for i in range(1, 11)]
    tracks = [Track(id=en, name=zh, name_en=en.title()) for zh, en in zip(TOPICS_ZH, TOPICS_EN, strict=True)]
    speakers = []
    for i in range(n_talks // 2):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        speakers.append(Speaker(id=f"s{i}", name=name, affiliation=rng.choice(["阿里云", "腾讯云", "华为", "字节跳动", "Example Corp"]),
                                bio=f"{name}，长期从事{rng.choice(TOPICS_ZH)}方向的研发工作，{rng.choice(TOOLS)} 贡献者。"))
    talks = []
    start = datetime(2027, 5, 1, 9, 0)
    per_day_slots = max(1, n_talks // (days * len(rooms)) + 1)
    for i in range(n_talks):
        zh, en = rng.choice(list(zip(TOPICS_ZH, TOPICS_EN, strict=True)))
        tool = rng.choice(TOOLS)
        slot, room = divmod(i, len(rooms))
        day, slot_in_day = divmod(slot, per_day_slots)
        when = start + timedelta(days=day, minutes=45 * slot_in_day)
        talks.append(Talk(
            id=i + 1, title=f"基于{tool}的{zh}实践（第{i + 1}篇）", title_en=f"{en.title()} with {tool}, part {i + 1}",
            abstract=f"本次分享介绍如何用 eBPF 和 {tool} 解决{zh}问题，包括设计、实现与生产经验。" * 3,
            tags=[en, tool], tags_zh=[zh], speakers=[f"s{i % len(speakers)}"], track=en,
            room=rooms[room].id, start=when, duration=40,
        ))
    conference = Conference(id="bench", name="基准大会", name_en="Bench Conference", timezone="Asia/Shanghai",
                            rooms=rooms, tracks=tracks)
    return Programme.from_content(ContentFile(conference=conference, speakers=speakers, talks=talks))
