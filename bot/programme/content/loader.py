"""Loading content files with errors that name the file, the place and the problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.programme.content.bounded import ContentLimits, Deadline, Refused, decode, read_bytes
from bot.programme.content.programme import Programme
from bot.programme.content.schema import VENUE_NOTES, ContentFile
from bot.programme.content.yamlbounds import compose_and_load

SECTIONS = ("conference", "speakers", "talks", "breaks", "faq")
LISTS = ("speakers", "talks", "breaks", "faq")  # the sections several files add to


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file."""

    file: str
    line: int | None
    place: str  # "talk 12, field start" / "speakers[3]" / ""
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.place + ': ' if self.place else ''}{self.message}"


class ContentError(Exception):
    """Content could not be loaded; ``problems`` lists every issue found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        """The file of the first problem."""
        return self.problems[0].file

    @property
    def place(self) -> str:
        """Where the first problem is (line and item)."""
        first = self.problems[0]
        return ", ".join(x for x in (f"line {first.line}" if first.line else "", first.place) if x)

    @property
    def message(self) -> str:
        """What the first problem is."""
        return self.problems[0].message


@dataclass
class _Document:
    path: Path
    data: dict[str, Any]
    node: yaml.Node


def _read(path: Path, root: Path | None, limits: ContentLimits, deadline: Deadline) -> _Document:
    """Parse one YAML file, keeping its node tree for line numbers (within ``limits``)."""
    try:
        deadline.check()
        text = decode(read_bytes(path, limit=limits.max_bytes, root=root))
        node, data = compose_and_load(text, limits, deadline)
        deadline.check()
    except Refused as exc:
        raise ContentError([Problem(str(path), exc.line, "", exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f" (column {mark.column + 1})" if mark else ""
        raise ContentError([Problem(str(path), line, "", f"YAML syntax error{col}: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:  # the reader's own errors carry no mark
        raise ContentError([Problem(str(path), None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise ContentError([Problem(str(path), None, "", "YAML nested too deeply; not loaded")]) from None
    if data is None or node is None:
        data, node = {}, yaml.MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(data, dict):
        raise ContentError([Problem(str(path), 1, "", "expected a mapping with conference/speakers/talks/breaks")])
    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        raise ContentError(
            [
                Problem(
                    str(path),
                    _line(node, (unknown[0],)),
                    "",
                    f"unknown section {unknown[0]!r}; expected one of {', '.join(SECTIONS)}",
                )
            ]
        )
    return _Document(path, data, node)


def _child(node: yaml.Node, key: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for k, v in pairs:
            if k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        items: list[yaml.Node] = node.value
        return items[key]
    return None


def _line(node: yaml.Node, loc: tuple[object, ...]) -> int:
    """The 1-based line of the deepest node found along ``loc``."""
    current = node
    for key in loc:
        child = _child(current, key)
        if child is None:
            if isinstance(current, yaml.MappingNode):  # point at the key when there is one
                pairs: list[tuple[yaml.Node, yaml.Node]] = current.value
                for k, _ in pairs:
                    if k.value == key:
                        return _start_line(k)
            break
        current = child
    return _start_line(current)


def _start_line(node: yaml.Node) -> int:
    line: int = node.start_mark.line
    return line + 1


def _files(path: Path) -> list[Path]:
    if path.is_dir():  # the glob lists names only: each file is checked before it is opened
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise ContentError([Problem(str(path), None, "", "no .yaml files in this directory")])
        return files
    if not path.exists():
        raise ContentError([Problem(str(path), None, "", "no such file or directory")])
    return [path]


def _describe(docs: list[_Document], section: str, index: int, rest: tuple[object, ...]) -> tuple[_Document, int, str]:
    """Find which document holds item ``index`` of merged ``section``; name the item."""
    offset = 0
    for doc in docs:
        items = doc.data.get(section) or []
        if section == "conference" or index < offset + len(items):
            local = index - offset
            item = items[local] if section != "conference" and isinstance(items[local], dict) else {}
            loc = (section,) if section == "conference" else (section, local)
            label = {"talks": "talk", "speakers": "speaker", "breaks": "break", "faq": "faq entry"}.get(
                section, section
            )
            ident = item.get("id") if isinstance(item, dict) else None
            name = (
                f"{label} {ident}"
                if ident is not None
                else (f"{section}[{local}]" if section != "conference" else "conference")
            )
            field = ".".join(str(r) for r in rest)
            return doc, _line(doc.node, (*loc, *rest)), name + (f", field {field}" if field else "")
        offset += len(items)
    return docs[0], 1, section


def _merge(docs: list[_Document]) -> tuple[dict[str, Any], list[Problem]]:
    merged: dict[str, Any] = {section: [] for section in LISTS}
    problems: list[Problem] = []
    conference_doc: _Document | None = None
    for doc in docs:
        for section in LISTS:
            items = doc.data.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                problems.append(Problem(str(doc.path), _line(doc.node, (section,)), section, "expected a list"))
                doc.data[section] = []
                continue
            merged[section] += items
        if "conference" in doc.data:
            if conference_doc is not None:
                problems.append(
                    Problem(
                        str(doc.path),
                        _line(doc.node, ("conference",)),
                        "conference",
                        f"conference is already defined in {conference_doc.path}",
                    )
                )
            conference_doc = doc
            merged["conference"] = doc.data["conference"]
    if conference_doc is None:
        problems.append(
            Problem(
                str(docs[0].path.parent if len(docs) > 1 else docs[0].path),
                None,
                "",
                "no conference section (name, timezone, rooms...) found",
            )
        )
    return merged, problems


def _cross_check(content: ContentFile, docs: list[_Document]) -> list[Problem]:
    """Ids unique, and every speaker/room/track a talk names exists."""
    problems: list[Problem] = []
    conf = content.conference
    assert conf is not None
    rooms = {r.id for r in conf.rooms}
    tracks = {t.id for t in conf.tracks}
    speakers = {s.id for s in content.speakers}
    talk_ids = {t.id for t in content.talks}

    def add(section: str, index: int, rest: tuple[object, ...], message: str) -> None:
        doc, line, place = _describe(docs, section, index, rest)
        problems.append(Problem(str(doc.path), line, place, message))

    seen: dict[object, int] = {}
    for i, speaker in enumerate(content.speakers):
        if speaker.id in seen:
            add("speakers", i, ("id",), f"duplicate speaker id {speaker.id!r}")
        seen[speaker.id] = i
    seen = {}
    for i, talk in enumerate(content.talks):
        if talk.id in seen:
            add("talks", i, ("id",), f"duplicate talk id {talk.id}")
        seen[talk.id] = i
        for j, sid in enumerate(talk.speakers):
            if sid not in speakers:
                add("talks", i, ("speakers", j), f"unknown speaker id {sid!r}")
        if talk.repeat_of is not None and (talk.repeat_of == talk.id or talk.repeat_of not in talk_ids):
            add("talks", i, ("repeat_of",), f"repeat_of {talk.repeat_of}: no other talk has that id")
        if talk.room is not None and rooms and talk.room not in rooms:
            add("talks", i, ("room",), f"unknown room {talk.room!r}; rooms are {', '.join(sorted(rooms))}")
        if talk.track is not None and talk.track not in tracks:
            add(
                "talks",
                i,
                ("track",),
                f"unknown track {talk.track!r}; tracks are {', '.join(sorted(tracks)) or 'none'}",
            )
    for i, item in enumerate(content.breaks):
        if item.room is not None and rooms and item.room not in rooms:
            add("breaks", i, ("room",), f"unknown room {item.room!r}")
    _check_faq(content, add)
    return problems


def _check_faq(content: ContentFile, add: Callable[[str, int, tuple[object, ...], str], None]) -> None:
    """FAQ ids unique; a place is the venue or a room; an entry without an answer names a venue note."""
    conf = content.conference
    assert conf is not None
    rooms = {r.id for r in conf.rooms}
    venue = conf.venue
    seen: set[str] = set()
    for i, entry in enumerate(content.faq):
        if entry.id in seen:
            add("faq", i, ("id",), f"duplicate faq id {entry.id!r}")
        seen.add(entry.id)
        if entry.place is not None and entry.place != "venue" and entry.place not in rooms:
            add("faq", i, ("place",), f"unknown place {entry.place!r}: venue or a room ({', '.join(sorted(rooms))})")
        if entry.answer is None:
            note = getattr(venue, entry.id, None) if venue and entry.id in VENUE_NOTES else None
            if not note:
                add(
                    "faq",
                    i,
                    ("answer",),
                    f"no answer: give one, or use the id of a venue note the conference has ({', '.join(VENUE_NOTES)})",
                )


def load_content_file(path: Path, limits: ContentLimits | None = None) -> ContentFile:
    """Read, merge and validate a content directory or file; raise ContentError on problems.

    Each file is read within ``limits`` (size, YAML aliases, the whole load's deadline); call it
    in a worker thread from async code (the watcher and the request threads do)."""
    limits = limits or ContentLimits()
    deadline = limits.deadline()
    path = Path(path)
    root = path.resolve() if path.is_dir() else None
    docs = [_read(p, root, limits, deadline) for p in _files(path)]
    merged, problems = _merge(docs)
    if problems:
        raise ContentError(problems)
    try:
        content = ContentFile.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            section = str(loc[0]) if loc else ""
            if section in LISTS and len(loc) > 1 and isinstance(loc[1], int):
                doc, line, place = _describe(
                    docs, section, loc[1], tuple(x for x in loc[2:] if not str(x).startswith("function-"))
                )
            elif section == "conference":
                doc, line, place = _describe(docs, "conference", 0, loc[1:])
            else:
                doc, line, place = docs[0], None, section
            problems.append(Problem(str(doc.path), line, place, err["msg"]))
        raise ContentError(problems) from None
    problems = _cross_check(content, docs)
    if problems:
        raise ContentError(problems)
    return content


def load_content(path: Path, limits: ContentLimits | None = None) -> Programme:
    """Load a content directory or file into an indexed Programme (or raise ContentError)."""
    return Programme.from_content(load_content_file(Path(path), limits))
