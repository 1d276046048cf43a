"""faq.yaml: entries load with the other files (within the same limits), and the check names the file,
the line and the entry of each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.programme.content.loader import ContentError, load_content
from bot.settings import BUNDLED_CONTENT

CONF = "conference:\n  id: t\n  name: T\n  timezone: Asia/Shanghai\n  rooms: [{id: A, name: A}]\n"
VENUE = CONF + "  venue: {name: 会场, wifi: 密码在胸牌背面}\n"


def _load(tmp_path: Path, conference: str, faq: str) -> str:
    (tmp_path / "conference.yaml").write_text(conference, encoding="utf-8")
    (tmp_path / "faq.yaml").write_text(faq, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(tmp_path)
    return str(info.value)


def test_the_bundled_faq_answers_in_both_languages() -> None:
    programme = load_content(BUNDLED_CONTENT)
    ids = {entry.id for entry in programme.faq}
    assert {"wifi", "food", "address", "toilets", "parking", "slides", "contact"} <= ids
    for entry in programme.faq:
        assert (entry.questions and entry.questions_en) or entry.id in ("wifi", "food"), entry.id
        assert (entry.answer is None) == (entry.answer_en is None), entry.id  # a venue note, or both languages


def test_an_entry_loads_with_its_questions_keywords_and_place(tmp_path: Path) -> None:
    (tmp_path / "conference.yaml").write_text(VENUE, encoding="utf-8")
    faq = "faq:\n- id: wifi\n  keywords: [无线]\n- id: toilets\n  keywords_en: [toilet]\n  answer: 一楼\n  place: A\n"
    (tmp_path / "faq.yaml").write_text(faq, encoding="utf-8")
    programme = load_content(tmp_path)
    assert [(e.id, e.answer, e.place) for e in programme.faq] == [("wifi", None, None), ("toilets", "一楼", "A")]


def test_mistakes_are_named_with_file_line_and_entry(tmp_path: Path) -> None:
    faq = (
        "faq:\n"
        "- id: toilets\n  keywords: [厕所]\n  answer: 一楼\n  place: Z\n"
        "- id: toilets\n  keywords: [洗手间]\n  answer: 二楼\n"
        "- id: parking\n  keywords: [停车]\n"
        "- id: food\n  keywords: [午饭]\n"
    )
    text = _load(tmp_path, CONF, faq)
    assert "faq.yaml:5: faq entry toilets, field place: unknown place 'Z'" in text
    assert "faq.yaml:6: faq entry toilets, field id: duplicate faq id 'toilets'" in text
    assert "faq entry parking, field answer: no answer" in text
    assert "faq entry food, field answer: no answer" in text  # this conference has no venue food note
    empty = _load(tmp_path, CONF, "faq:\n- id: nothing\n  answer: 无\n")
    assert "faq.yaml:2: faq entry nothing" in empty and "give questions or keywords" in empty
