"""Variant Chinese spellings through OpenCC."""

from __future__ import annotations

from bot.programme.search.chinese import mainland_forms, to_simplified
from bot.programme.search.text import query_terms


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("網絡抖動") == "网络抖动"
    assert to_simplified("陳莉君 eBPF") == "陈莉君 eBPF"
    assert to_simplified("XDP") == "XDP"


def test_taiwanese_phrasing_in_either_script_has_a_mainland_form() -> None:
    assert "网络抖动" in mainland_forms("网路抖动")
    assert "网络抖动" in mainland_forms("網路抖動")
    assert "软件" in mainland_forms("软体")
    assert mainland_forms("网络") == [] and mainland_forms("xdp") == []


def test_query_terms_are_folded_to_simplified() -> None:
    assert query_terms("網絡 抖動") == ["网络", "抖动"]
