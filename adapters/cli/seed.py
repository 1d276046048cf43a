"""Import the call-for-talks markdown page (the China eBPF Conference seed) as content.

The page is a list of blocks separated by lines of asterisks. Each block has a ``#### title``
heading, ``#### 简要描述`` (abstract, sometimes with 演讲提纲/大纲 outline and 听众收获
takeaways) and ``#### 作者简介`` (the speaker's bio, ``Name，affiliation…``). The first block is
the submission template. The page has no times: scheduling is added by organizers.

Irregularities handled: outline/takeaway headings with or without 演讲/colon, items numbered
``1.``, ``1、`` or ``（一）``, lettered sub-items (folded into their parent item), lines wrapped
mid-sentence, a ``项目链接：URL`` line (moved to the talk's links), GitHub handles
(``GitHub: losfair``, ``ID: xingfeng2510``) and several speakers in one 作者简介 (one paragraph
each, each starting with the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

from bot.programme.content.schema import Conference, ContentFile, Speaker, Talk

_SEPARATOR = re.compile(r"^\s*\*{10,}\s*$")
_HEADING = re.compile(r"^####\s*(.*?)\s*$")
_OUTLINE = re.compile(r"(演讲提纲|提纲|大纲)(如下)?\s*[:：]?\s*$")
_TAKEAWAYS = re.compile(r"^\s*(听众收获|收获)\s*[:：]?\s*$")
_ITEM = re.compile(r"^\s*(?:\d+\s*[.、．]|（[一二三四五六七八九十]+）)\s*(.+?)\s*[;；]?\s*$")
_SUBITEM = re.compile(r"^\s*([a-z][.、．])\s*(.+?)\s*[;；]?\s*$")
_URL = re.compile(r"https?://[^\s，。）)]+")
_LINK_LINE = re.compile(r"^\S{0,12}[:：]\s*https?://\S+$")  # 项目链接：https://…
_GITHUB = re.compile(r"(?<![A-Za-z])(?:GitHub|Github|github|ID)\s*[:：]\s*([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))")
_SPEAKER_START = re.compile(r"^[\u4e00-\u9fff·]{2,5}\s*[，,：:（(]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME_END = re.compile(r"[，,：:（(\s]")
_ORG = re.compile(
    r"大学|学院|公司|集团|科技|网络|华为|腾讯|阿里|字节|百度|蚂蚁|谷歌|研究院|社区|SphereEx|深信服|"
    r"中国移动|阅码场|Thoughtworks"
)
_ORG_PREFIX = re.compile(r"^.*?(任职于|供职于|就职于|来自|现任|现为|就读于|毕业于)")
_TEMPLATE_TITLES = {"介绍", "项目/工具题目"}


@dataclass
class _Block:
    start_line: int
    title: str = ""
    description: list[str] = field(default_factory=list)
    bio: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[_Block]:
    """Split the page into talk blocks (skipping the template and the list heading)."""
    blocks: list[_Block] = []
    current = _Block(1)
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if _SEPARATOR.match(line):
            blocks.append(current)
            current, section = _Block(number + 1), ""
            continue
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1).strip()
            if name == "简要描述":
                section = "description"
            elif name == "作者简介":
                section = "bio"
            elif name and not current.title:
                current.title, current.start_line, section = name, number, "title"
            continue
        if line.startswith("## "):
            continue
        if section == "description":
            current.description.append(line)
        elif section == "bio":
            current.bio.append(line)
    blocks.append(current)
    return [b for b in blocks if b.title and b.title not in _TEMPLATE_TITLES]


def _paragraphs(lines: list[str]) -> str:
    """Join lines into text: stripped, blank runs collapsed to one paragraph break.

    A line wrapped mid-sentence (a Chinese character at the end and the start) is rejoined.
    """
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped and out and out[-1] and _CJK.fullmatch(out[-1][-1]) and _CJK.fullmatch(stripped[0]):
            out[-1] += stripped
        elif stripped:
            out.append(stripped)
        elif out and out[-1] != "":
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _split_description(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """Abstract prose, outline items and takeaway items."""
    abstract: list[str] = []
    outline: list[str] = []
    takeaways: list[str] = []
    mode = "abstract"
    has_sub = False
    for line in lines:
        stripped = line.strip()
        if stripped in ("内容：", "内容:"):
            continue
        if _TAKEAWAYS.match(stripped):
            mode = "takeaways"
            continue
        if _OUTLINE.search(stripped):
            head = _OUTLINE.sub("", stripped).rstrip("，,。 ")
            if head:  # "…本议题介绍… 提纲如下：" keeps its sentence
                abstract.append(head + "。" if not head.endswith(("。", "！", "？")) else head)
            mode = "outline"
            continue
        if mode == "abstract":
            if not _LINK_LINE.match(stripped):  # the URL itself goes to the talk's links
                abstract.append(line)
            continue
        item = _ITEM.match(stripped)
        sub = _SUBITEM.match(stripped)
        target = outline if mode == "outline" else takeaways
        if item:
            target.append(item.group(1).strip())
            has_sub = False
        elif sub and target:  # "a. …" under "1. …": folded into the parent item
            target[-1] += f"{'；' if has_sub else '：'}{sub.group(1)} {sub.group(2)}"
            has_sub = True
        elif stripped and target:  # a continuation line
            target[-1] = f"{target[-1]} {stripped}"
    return _paragraphs(abstract), outline, takeaways


def _speaker_from_bio(bio: str) -> Speaker:
    """Name (up to the first separator), affiliation (the first clause naming an org), bio."""
    name = _NAME_END.split(bio.strip(), maxsplit=1)[0].strip()
    rest = bio.strip()[len(name) :]
    clauses = [c.strip(" ，,：:") for c in re.split(r"[，,。；;]", rest) if c.strip(" ，,：:")]
    clauses = [c for c in clauses if not c.startswith(("（", "("))]
    affiliation = ""
    candidates = [c for c in clauses if _ORG.search(c) and not re.search("毕业|从事", c)] or [
        c for c in clauses if _ORG.search(c)
    ]
    if candidates:
        affiliation = _ORG_PREFIX.sub("", candidates[0]).strip()
    syllables = lazy_pinyin(name)
    slug = re.sub(r"[^a-z0-9]", "", "".join(syllables).lower()) or "speaker"
    name_en = None
    if re.search(r"[\u4e00-\u9fff]", name) and len(syllables) >= 2:
        name_en = f"{syllables[0].capitalize()} {''.join(syllables[1:]).capitalize()}"
    links = [f"https://github.com/{handle}" for handle in _GITHUB.findall(bio)]
    return Speaker(id=slug, name=name, name_en=name_en, affiliation=affiliation, bio=bio.strip(), links=links)


def _bios(bio: str) -> list[str]:
    """One bio per speaker: a paragraph starting with a name starts the next speaker."""
    bios: list[str] = []
    for paragraph in bio.split("\n\n"):
        if bios and not _SPEAKER_START.match(paragraph):
            bios[-1] += "\n\n" + paragraph
        else:
            bios.append(paragraph)
    return bios


def parse_seed(text: str) -> ContentFile:
    """Parse the call-for-talks page into speakers and (unscheduled) talks, ids 1, 2, 3…"""
    blocks = _blocks(text)
    if not blocks:
        raise ValueError("line 1: no talk blocks found (expected '#### title' sections separated by '****')")
    speakers: dict[str, Speaker] = {}
    talks: list[Talk] = []
    for talk_id, block in enumerate(blocks, 1):
        bio = _paragraphs(block.bio)
        if not bio:
            raise ValueError(f"line {block.start_line}: talk {block.title!r} has no 作者简介 (speaker bio)")
        abstract, outline, takeaways = _split_description(block.description)
        if not abstract and not outline:
            raise ValueError(f"line {block.start_line}: talk {block.title!r} has no 简要描述 (description)")
        ids: list[str] = []
        links = _URL.findall("\n".join(block.description + block.bio))
        for one in _bios(bio):
            speaker = _speaker_from_bio(one)
            if speaker.id in speakers and speakers[speaker.id].name != speaker.name:
                speaker = speaker.model_copy(update={"id": f"{speaker.id}{talk_id}"})
            speakers.setdefault(speaker.id, speaker)
            ids.append(speaker.id)
            links += speaker.links
        talks.append(
            Talk(
                id=talk_id,
                title=block.title,
                abstract=abstract,
                outline=outline,
                takeaways=takeaways,
                links=list(dict.fromkeys(links)),
                speakers=ids,
            )
        )
    conference = Conference(
        id="ebpf-china",
        name="首届中国eBPF大会",
        name_en="The First China eBPF Conference",
        timezone="Asia/Shanghai",
        draft=True,
    )
    return ContentFile(conference=conference, speakers=list(speakers.values()), talks=talks)
