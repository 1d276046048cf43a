"""Core replies → Block Kit: escaping, styles, native buttons, the day picker, Slack's limits."""

from __future__ import annotations

from adapters.slack.render import to_blocks
from bot.chat.messages import Button, Choices, Reply, Span, bold, code, italic, link
from tests.fakes.slack_api import mrkdwn_problem


def test_every_span_is_escaped_and_styled_natively() -> None:
    reply = Reply(
        lines=(
            (
                bold("A&B"),
                Span(" <x> "),
                italic("i<i"),
                Span(" "),
                code("a>b"),
                Span(" "),
                link("docs & more", "https://example.org/?a=1&b=2"),
            ),
        )
    )
    (section,) = to_blocks(reply)
    text = section["text"]["text"]
    assert section["text"]["type"] == "mrkdwn"
    assert text == ("*A&amp;B* &lt;x&gt; _i&lt;i_ `a&gt;b` <https://example.org/?a=1&amp;b=2|docs &amp; more>")
    assert mrkdwn_problem(text) is None


def test_style_markers_hug_the_words_and_a_pipe_cannot_end_a_link() -> None:
    reply = Reply(lines=((Span("at "), bold(" Hall A "), Span("·"), link("a|b", "https://x.org/?q=a|b")),))
    (section,) = to_blocks(reply)
    assert section["text"]["text"] == "at  *Hall A* ·<https://x.org/?q=a%7Cb|a|b>"


def test_buttons_carry_the_core_action_and_none_is_dropped() -> None:
    rows = tuple((Button(f"#{i}", f"talk {i}"),) for i in range(40))
    blocks = to_blocks(Reply(lines=((Span("x"),),), buttons=rows))
    values = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert values == [f"talk {i}" for i in range(40)] and len(blocks) <= 50


def test_a_long_row_of_days_is_a_day_picker_with_the_current_day_chosen() -> None:
    days = tuple(Button(f"第{i}天", f"agenda {i}", selected=i == 2) for i in range(1, 5))
    choices = Choices("选择日期", (*days, Button("全部", "agenda all")))
    (_, picker_block) = to_blocks(Reply(lines=((Span("议程"),),), choices=choices))
    (picker,) = picker_block["elements"]
    assert picker["type"] == "static_select" and picker["placeholder"]["text"] == "选择日期"
    assert [o["value"] for o in picker["options"]] == ["agenda 1", "agenda 2", "agenda 3", "agenda 4", "agenda all"]
    assert picker["initial_option"]["text"]["text"] == "第2天"


def test_two_days_stay_buttons() -> None:
    choices = Choices("Pick a day", (Button("Day 1", "agenda 1"), Button("Day 2", "agenda 2")))
    (_, actions) = to_blocks(Reply(lines=((Span("Agenda"),),), choices=choices))
    assert [e["type"] for e in actions["elements"]] == ["button", "button"]


def test_a_huge_reply_is_cut_within_50_blocks_and_3000_characters() -> None:
    lines = tuple((Span(f"line {i} " + "é<&" * 400),) for i in range(200))
    blocks = to_blocks(Reply(lines=lines, buttons=((Button("Next ▶", "agenda all 2"),),)))
    assert len(blocks) <= 50 and blocks[-1]["elements"][0]["value"] == "agenda all 2"
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert all(mrkdwn_problem(b["text"]["text"]) is None for b in blocks if b["type"] == "section")
