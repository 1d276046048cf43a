"""Writing content as human-editable YAML (the inverse of the loader)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.programme.content.schema import ContentFile

HEADER = "# confbot content; schema in docs/content.md. Naive times are read in the conference timezone.\n"


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _plain(content: ContentFile) -> dict[str, Any]:
    """Content as plain data: defaults dropped, times written local and naive."""
    assert content.conference is not None
    tz = content.conference.tz
    data = content.model_dump(mode="python", exclude_defaults=True)
    for section in ("talks", "breaks"):
        for item in data.get(section, []):
            for key in ("start", "end"):
                if item.get(key) is not None:
                    item[key] = (
                        item[key].astimezone(tz).strftime("%Y-%m-%d %H:%M")
                        if item[key].tzinfo
                        else item[key].strftime("%Y-%m-%d %H:%M")
                    )
    return data


def dumps(content: ContentFile) -> dict[str, str]:
    """File name → YAML text for conference, speakers, talks and breaks."""
    data = _plain(content)
    out = {}
    for section, filename in (
        ("conference", "conference.yaml"),
        ("speakers", "speakers.yaml"),
        ("talks", "talks.yaml"),
        ("breaks", "breaks.yaml"),
    ):
        if data.get(section):
            out[filename] = HEADER + yaml.dump(
                {section: data[section]}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
            )
    return out


def dump_content(content: ContentFile, directory: Path) -> list[Path]:
    """Write the content files into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in dumps(content).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
