"""Button labels are cut between words, with an ellipsis, by display width (CJK counts two)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.chat.labels import fit, width
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.conftest import SHANGHAI
from tests.helpers import ask

BUNDLED = load_content(BUNDLED_CONTENT)


@pytest.mark.parametrize(
    ("text", "columns", "label"),
    [
        ("#17 Distributed Performance Tracing with eBPF", 28, "#17 Distributed Performance…"),
        ("#17 eBPF技术在CT领域的分布式性能追踪的实践", 24, "#17 eBPF技术在CT领域的…"),
        ("#3 Supercalifragilisticexpialidocious", 20, "#3 Supercalifragili…"),  # one word: cut inside it
        ("#5 Short", 28, "#5 Short"),
        ("#8 Tracing, profiling and more", 20, "#8 Tracing…"),  # no comma before the ellipsis
    ],
)
def test_labels_are_cut_between_words_by_width(text: str, columns: int, label: str) -> None:
    assert fit(text, columns) == label
    assert width(fit(text, columns)) <= columns


def test_chinese_labels_count_double_width() -> None:
    label = fit("#1 从Linux内核到eBPF：可观测性的未来与展望", 20)
    assert width(label) <= 20 and label.endswith("…") and len(label) < 20


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bundled_talk_buttons_never_end_mid_word(core: Core, clock: FakeClock, lang: str) -> None:
    core.replace_programme(BUNDLED)
    labels: list[str] = []
    for hour in range(8, 17):
        for day in (12, 13):
            clock.set(datetime(2026, 12, day, hour, 5, tzinfo=SHANGHAI))
            for text in ("/next", "/now", "/agenda", "/room A", "/room B 2"):
                reply = ask(core, text, locale=lang)
                labels += [b.label for row in reply.buttons for b in row if b.action.startswith("talk ")]
    titles = {f"#{t.id} {t.title_en if lang == 'en' and t.title_en else t.title}" for t in BUNDLED.talks}
    assert labels
    for label in labels:
        assert label in titles or label.endswith("…"), label
        cut = label.removesuffix("…")
        full = next(t for t in titles if t.startswith(cut))
        following = full[len(cut) : len(cut) + 1]
        assert not (cut[-1:].isascii() and cut[-1:].isalnum() and following.isascii() and following.isalnum()), label
