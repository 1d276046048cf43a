"""The organizers' broadcast markup: parsed in the core, escaped by every platform."""

from __future__ import annotations

import pytest

from adapters.slack.render import to_blocks
from adapters.telegram.render import to_html
from bot.chat.markup import parse, visible_length
from bot.chat.messages import Reply, Span
from tests.fakes.telegram_server import check_html


def _reply(text: str) -> Reply:
    return Reply(tuple(parse(text)))


def _slack(text: str) -> str:
    return "\n".join(b["text"]["text"] for b in to_blocks(_reply(text)) if b["type"] == "section")


def test_bold_italic_links_and_line_breaks() -> None:
    lines = parse("Doors open *now*, see _Hall A_\n\n[map](https://example.org/map?a=1&b=2) please")
    assert lines == [
        (Span("Doors open "), Span("now", "bold"), Span(", see "), Span("Hall A", "italic")),
        (),
        (Span("map", "link", "https://example.org/map?a=1&b=2"), Span(" please")),
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "snake_case_name and 2*3*4",  # markers inside words
        "* not bold * and _ not italic _",  # markers must hug the words
        "[click](javascript:alert(1))",  # only http(s) links
        "[no url]",
        "*unclosed and _unclosed",
    ],
)
def test_what_is_not_markup_stays_as_typed(typed: str) -> None:
    assert parse(typed) == [(Span(typed),)]


def test_backslash_writes_the_marker_itself() -> None:
    assert parse(r"\*not bold\* \[x\] a\\b") == [(Span("*not bold* [x] a\\b"),)]


def test_telegram_html_escapes_the_organizers_text() -> None:
    html = to_html(_reply('*<b>&amp;</b>* _a<i>_ [x<y](https://e.org/?q="1"&r=<2>)\n<script>'))
    assert html == (
        "<b>&lt;b&gt;&amp;amp;&lt;/b&gt;</b> <i>a&lt;i&gt;</i> "
        '[x&lt;y](https://e.org/?q="1"&amp;r=&lt;2&gt;)\n&lt;script&gt;'
    )
    check_html(html)  # Telegram would accept it
    linked = to_html(_reply('[x<y](https://e.org/?q="1"&r=2)'))
    assert linked == '<a href="https://e.org/?q=&quot;1&quot;&amp;r=2">x&lt;y</a>'
    check_html(linked)


def test_slack_mrkdwn_escapes_the_organizers_text() -> None:
    text = _slack("*<!channel> & co* _a>b_ [x<y](https://e.org/?a=1&b=|2)\nline two")
    assert text == "*&lt;!channel&gt; &amp; co* _a&gt;b_ <https://e.org/?a=1&amp;b=%7C2|x&lt;y>\nline two"


def test_length_counts_what_telegram_counts() -> None:
    assert visible_length(parse("*ab*\ncd")) == 5  # markers are not shown, the line break is
    assert visible_length(parse("🎉")) == 2  # an emoji is two UTF-16 units
