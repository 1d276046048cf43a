"""Honorifics, chat wording and quotes come off a query before it is searched (issue 24)."""

from __future__ import annotations

import pytest

from bot.programme.search.understand import understand


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("陈莉君老师", "陈莉君"),
        ("莉君老师的分享", "莉君"),
        ("张博士讲的调度", "张 调度"),
        ("李教授", "李"),
        ("王先生", "王"),
        ("刘女士的演讲", "刘"),
        ("董君大佬", "董君"),
        ("陳莉君老師", "陈莉君"),  # Traditional honorifics too
        ("有没有讲XDP的", "XDP"),
        ("谁讲网络抖动", "网络抖动"),
        ("我想听安全相关的", "安全"),
        ("关于调度的演讲", "调度"),
        ("请问有没有服务网格的报告吗", "服务网格"),
        ("容器安全的议题呢", "容器安全"),
        ("白盒观测在哪个会场", "白盒观测"),
        ("陆志浩老师的议题在哪", "陆志浩"),
        ("talks about scheduling", "scheduling"),
        ("is there any talk on XDP?", "XDP?"),
    ],
)
def test_chat_wording_and_honorifics_come_off(typed: str, meant: str) -> None:
    assert understand(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("《eBPF框架的开发实践经验分享》", "eBPF框架的开发实践经验分享"),  # a title ending in 分享 keeps it
        ("有没有《某某的分享》这个", "某某的分享"),
        ("「eBPF as a Service」", "eBPF as a Service"),  # "a" is no chat word inside a title
        ("“从Linux内核到eBPF”", "从Linux内核到eBPF"),
        ('"Extend Database Mesh"', "Extend Database Mesh"),
    ],
)
def test_text_in_book_title_marks_or_quotes_is_kept_as_typed(typed: str, meant: str) -> None:
    assert understand(typed) == meant


NO_CHAT = ["主题演讲", "网络抖动", "eBPF框架的开发实践经验分享", "XDP", "chen lijun", "容器运行时"]


@pytest.mark.parametrize("typed", NO_CHAT)
def test_what_is_no_chat_stays(typed: str) -> None:
    assert understand(typed).replace(" ", "") == typed.replace(" ", "")


@pytest.mark.parametrize("typed", ["博士", "老师", "talk", "的分享", "吗"])
def test_a_query_that_is_all_chat_is_searched_as_typed(typed: str) -> None:
    assert understand(typed) == typed
