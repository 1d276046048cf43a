"""The FAQ a conference answers: its ``faq.yaml`` entries and those derived from its venue's notes.

Each venue note (Wi-Fi, food, transport, registration, the address) and each room with directions is
an entry without extra writing, found by the words below. A ``faq.yaml`` entry with the same id adds
its questions and keywords to it, and replaces its answer, link or place when it gives one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.programme.content.programme import Programme
from bot.programme.content.schema import FaqEntry, Venue

# how people ask for each venue note: (questions zh, questions en, keywords zh, keywords en)
_NOTE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "wifi": (
        ("Wi-Fi密码是多少", "有没有无线网"),
        ("What is the Wi-Fi password?", "Is there Wi-Fi?"),
        ("wifi", "无线", "无线网", "上网", "连网", "联网", "热点", "网络密码", "密码"),
        ("wifi", "wireless", "internet", "password", "wlan", "hotspot"),
    ),
    "food": (
        ("午饭在哪吃", "有没有茶歇"),
        ("Where is lunch?", "Is there coffee?"),
        ("午饭", "午餐", "吃饭", "食堂", "餐厅", "就餐", "用餐", "茶歇", "咖啡", "晚饭", "晚餐", "早饭", "早餐", "饭"),
        ("lunch", "food", "eat", "meal", "canteen", "cafeteria", "coffee", "tea", "snack", "dinner", "breakfast"),
    ),
    "transport": (
        ("怎么去会场", "坐地铁怎么走"),
        ("How do I get there?", "Which metro station?"),
        ("交通", "怎么去", "怎么走", "怎么到", "地铁", "公交", "打车", "出租车", "路线", "坐车"),
        ("transport", "transportation", "metro", "subway", "bus", "taxi", "get there", "getting there", "route"),
    ),
    "registration": (
        ("在哪签到", "几点签到"),
        ("Where is registration?", "When does registration open?"),
        ("签到", "报到", "注册", "胸牌", "门票", "入场", "二维码"),
        ("registration", "register", "check in", "badge", "ticket", "sign in", "qr code"),
    ),
    "address": (
        ("会场在哪里", "会场地址是什么"),
        ("Where is the venue?", "What is the address?"),
        ("地址", "位置", "地点", "在哪开", "在哪举办", "定位", "导航"),
        ("address", "location", "where is the venue", "venue address"),
    ),
}


@dataclass(frozen=True)
class Entry:
    """One question the bot answers, in both languages."""

    id: str
    questions: tuple[str, ...]  # Chinese
    questions_en: tuple[str, ...]
    keywords: tuple[str, ...]  # both languages: a Chinese reader may type "wifi", an English one "午饭"
    answer: str  # Chinese ("" when only a place or a room answers)
    answer_en: str | None
    note: str | None = None  # the venue note it comes from (its heading), or "room"
    link: str | None = None
    place: str | None = None  # "venue" or a room id

    def question(self, lang: str) -> str:
        """The question as the reader would ask it (the other language's when there is none)."""
        mine, other = (self.questions_en, self.questions) if lang == "en" else (self.questions, self.questions_en)
        return (mine or other or self.keywords or (self.id,))[0]


def _venue_note(venue: Venue, note: str) -> tuple[str, str | None]:
    if note == "address":
        zh = "\n".join(x for x in (venue.name, venue.address) if x)
        en = "\n".join(x for x in (venue.name_en or venue.name, venue.address_en or venue.address) if x)
        return zh, en if (venue.name_en or venue.address_en) else None
    return getattr(venue, note) or "", getattr(venue, f"{note}_en")


def derived(programme: Programme) -> list[Entry]:
    """The entries the venue answers: its notes, and the rooms' directions."""
    venue = programme.conference.venue
    found: list[Entry] = []
    if venue is not None:
        for note, (qs, qs_en, kws, kws_en) in _NOTE_WORDS.items():
            zh, en = _venue_note(venue, note)
            if zh.strip():
                place = "venue" if note == "address" else None
                found.append(Entry(note, qs, qs_en, (*kws, *kws_en), zh.strip(), en and en.strip(), note, None, place))
    for room in programme.conference.rooms:
        if not (room.directions or room.directions_en):
            continue
        names = tuple(n for n in (room.name, room.name_en) if n)
        questions = (f"{room.name}在哪里",)
        questions_en = (f"Where is the {room.name_en or room.name}?",)
        found.append(Entry(f"room-{room.id}"[:40], questions, questions_en, names, "", None, "room", None, room.id))
    return found


def _merge(base: Entry, written: FaqEntry) -> Entry:
    """A ``faq.yaml`` entry on top of the derived one with its id."""
    return Entry(
        base.id,
        (*base.questions, *written.questions),
        (*base.questions_en, *written.questions_en),
        (*written.keywords, *written.keywords_en, *base.keywords),
        written.answer if written.answer is not None else base.answer,
        written.answer_en if written.answer is not None else base.answer_en,
        base.note if written.answer is None else None,
        written.link or base.link,
        written.place or base.place,
    )


def entries(programme: Programme) -> list[Entry]:
    """Every entry: the written ones (merged with the venue's of the same id), then the venue's own."""
    venue = {e.id: e for e in derived(programme)}
    out: list[Entry] = []
    for w in programme.faq:
        base = venue.pop(w.id, None)
        if base is not None:
            out.append(_merge(base, w))
        elif w.answer is not None:
            keywords = (*w.keywords, *w.keywords_en)
            out.append(
                Entry(
                    w.id,
                    tuple(w.questions),
                    tuple(w.questions_en),
                    keywords,
                    w.answer,
                    w.answer_en,
                    None,
                    w.link,
                    w.place,
                )
            )
    return out + list(venue.values())
