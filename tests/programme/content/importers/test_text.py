"""Abstracts and bios: HTML and Markdown become readable plain text, plain text stays as it is."""

from __future__ import annotations

import pytest

from bot.programme.content.importers.plaintext import plain


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("Just text: snake_case_name, 3 < 4 and a & b.", "Just text: snake_case_name, 3 < 4 and a & b."),
        ("Line one\r\nline two", "Line one\nline two"),
        (
            '<p>See <a href="https://x.example/a">the docs</a>.</p><p>Bye</p>',
            "See the docs (https://x.example/a).\n\nBye",
        ),
        ('<a href="https://x.example/">https://x.example/</a>', "https://x.example/"),
        ('<a href="mailto:orga@x.example">write us</a>', "write us (orga@x.example)"),
        ("<ol start='3'><li>three</li><li>four</li></ol>", "3. three\n4. four"),
        ('<img alt="diagram"><script>alert(1)</script><style>p{}</style>', "diagram"),
        ("# Title\n\n**bold**, _em_ and `code`", "Title\n\nbold, em and code"),
        ("&lt;p&gt;escaped &lt;b&gt;twice&lt;/b&gt;&lt;/p&gt;", "escaped twice"),
        ("", ""),
    ],
)
def test_rich_text_becomes_plain(source: str, shown: str) -> None:
    assert plain(source) == shown
