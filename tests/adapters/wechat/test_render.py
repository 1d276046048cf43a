"""Replies as WeChat text: links, buttons as letters, and messages of at most 2 048 bytes cut between
lines, never losing a character."""

from __future__ import annotations

from adapters.wechat.render import MAX_BYTES, messages, render
from bot.chat.messages import Attachment, Button, Reply, Span


def test_link_buttons_are_links_and_the_others_letters_after_the_ones_shown() -> None:
    reply = Reply(
        ((Span("XDP "), Span("slides", url="https://example.org/a?b=1&c=2")),),
        buttons=(
            (Button("⭐ 订阅", "sub 3"), Button("Open", url="https://example.org/t/3")),
            (Button("✖", "unsub 3"),),
        ),
        lang="zh",
    )
    shown = render(reply, first_key=3)
    assert '<a href="https://example.org/a?b=1&amp;c=2">slides</a>' in shown.text
    assert (
        "[c] ⭐ 订阅" in shown.text
        and "[d] ✖" in shown.text
        and '<a href="https://example.org/t/3">Open</a>' in shown.text
    )
    assert shown.actions == ("sub 3", "unsub 3") and "回复字母" in shown.text
    late = render(reply, first_key=26)  # one letter left: the button after z shows no letter
    assert "[z] ⭐ 订阅" in late.text and "[-] ✖" in late.text and len(late.text) == len(shown.text)


def test_text_that_is_not_ours_never_becomes_a_link_or_a_tap_that_sends_a_message() -> None:
    """WeChat makes <a href> in a text message live; an attendee's question, a title or a name that
    holds one is shown with a fullwidth "＜" instead, and our own links stay links."""
    trap = '<a href="weixin://bizmsgmenu?msgmenucontent=/forget&msgmenuid=1">Free T-shirt</a>'
    reply = Reply(
        (
            (Span(f"2. {trap}  👍 0"),),
            (Span("a < b, /ask 2 <question>, XDP <fast>"),),
            (Span("s", url="https://e.org/s"),),
        ),
        buttons=((Button(f"👍 {trap}", "vote 2"), Button("<a>Open</a>", url="https://e.org/t/3")),),
        notice="Asked: <A\nHREF='https://evil.example'>x</A >",
        lang="en",
    )
    text = render(reply).text
    assert text.count("<a ") == 2 and text.count("</a>") == 2  # the slides link and the Open button only
    assert '<a href="https://e.org/s">s</a>' in text and '<a href="https://e.org/t/3">＜a>Open＜/a></a>' in text
    assert '＜a href="weixin://bizmsgmenu?msgmenucontent=/forget&msgmenuid=1">Free T-shirt＜/a>' in text
    assert "a < b, /ask 2 <question>, XDP <fast>" in text and "＜A\nHREF=" in text and "x＜/A >" in text
    split = render(Reply(((Span("Q: x<"), Span('a href="weixin://bizmsgmenu?msgmenucontent=/forget">tap</a>')),)))
    assert "<a" not in split.text and 'x＜a href="weixin' in split.text  # two spans make no tag either


def test_with_more_buttons_than_letters_the_next_page_keeps_one_and_talks_open_by_number() -> None:
    talks = tuple((Button(f"#{n} Talk {n}", f"talk {n}"),) for n in range(101, 131))  # 30 talks on a page
    nav = ((Button("‹ Previous", "agenda all 1"), Button("Next ›", "agenda all 3")), (Button("Day 2", "agenda 2"),))
    shown = render(Reply(((Span("Agenda"),),), buttons=talks + nav, lang="en"))
    assert len(shown.actions) == 26 and shown.actions[-3:] == ("agenda all 1", "agenda all 3", "agenda 2")
    assert "[x] ‹ Previous  [y] Next ›" in shown.text and "[z] Day 2" in shown.text
    assert "[w] #123 Talk 123" in shown.text and "[-] #124 Talk 124" in shown.text  # typed: 124 opens it
    assert shown.actions[:23] == tuple(f"talk {n}" for n in range(101, 124))


def test_a_file_is_named_with_where_to_get_it() -> None:
    reply = Reply(((Span("Your agenda"),),), attachment=Attachment("agenda.ics", b"BEGIN", "text/calendar"), lang="en")
    assert "agenda.ics" in render(reply).text and "/web" in render(reply).text


def test_long_text_is_cut_between_lines_within_the_byte_limit_and_nothing_is_lost() -> None:
    lines = [f"{n:03d} 基于eBPF的可观测性实践与经验分享" for n in range(200)]
    text = "\n".join(lines)
    parts = messages(text)
    assert len(parts) > 1 and all(len(p.encode()) <= MAX_BYTES for p in parts)
    assert "\n".join(parts) == text  # cut only at line breaks
    one_long_line = "字" * 2000  # 6 000 bytes and no line break: cut between characters
    pieces = messages(one_long_line)
    assert "".join(pieces) == one_long_line and all(len(p.encode()) <= MAX_BYTES for p in pieces)
    assert messages("") == [""]
