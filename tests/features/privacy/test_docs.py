"""docs/privacy.md names every table and every column the bot stores, and /help offers both commands."""

from __future__ import annotations

from pathlib import Path

from bot.core import Core
from bot.storage.models import Base
from tests.helpers import ask

PRIVACY = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"


def test_the_privacy_notice_names_every_table_and_column() -> None:
    text = PRIVACY.read_text(encoding="utf-8").split("## Every stored field", 1)[1]
    sections = {table.name: "" for table in Base.metadata.sorted_tables}
    named: list[str] = []
    for paragraph in text.split("\n\n"):
        if not paragraph.startswith("|"):  # a table of columns belongs to the paragraph before it
            named = [name for name in sections if f"`{name}`" in paragraph]
        for name in named:
            sections[name] += paragraph
    missing = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if f"`{column.name}`" not in sections[table.name]
    ]
    assert missing == []


def test_help_lists_mydata_and_forget_in_both_languages(core: Core) -> None:
    english = ask(core, "/help", locale="en").plain_text
    assert "/mydata" in english and "see what the bot stores about you" in english
    assert "/forget" in english and "erase everything the bot stores about you" in english
    assert "删除机器人保存的关于您的全部数据" in ask(core, "/help", locale="zh-CN").plain_text
