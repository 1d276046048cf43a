"""The call-for-talks page imports, and the bundled content is that page plus a schedule."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import load_content_file
from bot.content.seed import parse_seed
from bot.settings import BUNDLED_CONTENT

SEED = BUNDLED_CONTENT / "cfp-seed.md"
OVERLAY_TALK_FIELDS = ("title_en", "tags", "tags_zh", "kind", "track", "room", "start", "end", "duration")


@pytest.fixture(scope="module")
def seeded():  # type: ignore[no-untyped-def]
    return parse_seed(SEED.read_text(encoding="utf-8"))


def test_all_29_talks_with_title_abstract_and_speaker(seeded) -> None:  # type: ignore[no-untyped-def]
    assert [t.id for t in seeded.talks] == list(range(1, 30))
    for talk in seeded.talks:
        assert talk.title and talk.abstract and talk.speakers
    names = {s.id: s for s in seeded.speakers}
    assert names["chenlijun"].name == "陈莉君"
    assert names["chenlijun"].affiliation == "西安邮电大学教授"
    assert names["chenlijun"].bio.startswith("陈莉君，西安邮电大学教授，Linux内核专家")
    assert names["chenlijun"].name_en == "Chen Lijun"


def test_outline_takeaways_and_links_are_kept(seeded) -> None:  # type: ignore[no-untyped-def]
    by_title = {t.title: t for t in seeded.talks}
    surftrace = by_title["eBPF急先锋：surftrace"]
    assert surftrace.outline[0] == "当前内核观测工具的优势与不足"
    assert len(surftrace.outline) == 5 and len(surftrace.takeaways) == 4
    links = {link for t in seeded.talks for link in t.links}
    assert "https://github.com/fuweid/embedshim" in links
    assert "https://github.com/xmmgithub/nettrace" in links


def test_a_page_without_talks_names_the_line() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_seed("# nothing here\n")


def test_a_talk_without_bio_names_its_line() -> None:
    page = "***********\n#### A talk\n#### 简要描述\ntext\n#### 作者简介\n\n***********\n"
    with pytest.raises(ValueError, match=r"line 2: talk 'A talk' has no 作者简介"):
        parse_seed(page)


def test_seed_plus_schedule_reproduces_the_bundled_content(seeded) -> None:  # type: ignore[no-untyped-def]
    bundled = load_content_file(BUNDLED_CONTENT)
    by_id = {t.id: t for t in bundled.talks}
    rebuilt = [
        t.model_copy(update={f: getattr(by_id[t.id], f) for f in OVERLAY_TALK_FIELDS})
        for t in seeded.talks
    ]
    assert rebuilt == list(bundled.talks)
    names_en = {s.id: s.name_en for s in bundled.speakers}
    assert [s.model_copy(update={"name_en": names_en[s.id]}) for s in seeded.speakers] == list(bundled.speakers)


def test_seed_file_matches_the_shared_original() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_e4cdb1ad73609fc0.txt"
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    assert shared.read_bytes() == SEED.read_bytes()
