"""The call-for-talks page imports, and the bundled content is that page plus a schedule."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli.seed import parse_seed
from bot.programme.content.loader import load_content_file
from bot.settings import BUNDLED_CONTENT

SEED = BUNDLED_CONTENT / "cfp-seed.md"
OVERLAY_TALK_FIELDS = (
    "title_en",
    "abstract_en",
    "tags",
    "tags_zh",
    "kind",
    "track",
    "room",
    "start",
    "end",
    "duration",
)


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


def test_github_handles_become_links_of_the_speaker_and_the_talk(seeded) -> None:  # type: ignore[no-untyped-def]
    speakers = {s.id: s for s in seeded.speakers}
    assert speakers["zhouheyang"].links == ["https://github.com/losfair"]  # "GitHub: losfair"
    assert speakers["xingmengbang"].links == ["https://github.com/xingfeng2510"]  # "ID: xingfeng2510"
    hardware = next(t for t in seeded.talks if t.title == "Hardware accelerator for eBPF")
    assert hardware.links == ["https://github.com/losfair"]


def test_lettered_sub_items_stay_under_their_outline_item(seeded) -> None:  # type: ignore[no-untyped-def]
    embedshim = next(t for t in seeded.talks if "https://github.com/fuweid/embedshim" in t.links)
    assert embedshim.outline == [
        "容器进程管理的发展历程：a. 平滑升级的方案演进；b. 垫片层带来的升级难题",
        "基于 eBPF 管理进程状态的方案介绍：a. 内存和链路的优化；b. 效果展示",
        "整体方案后续的演进",
    ]


def test_abstract_is_prose_wrapped_lines_rejoined_and_link_lines_moved_to_links(seeded) -> None:  # type: ignore[no-untyped-def]
    embedshim = next(t for t in seeded.talks if "https://github.com/fuweid/embedshim" in t.links)
    assert "通过移除垫片层来实现 Daemon-less Container。" in embedshim.abstract
    assert "http" not in embedshim.abstract and "方案相关连接" not in embedshim.abstract
    surftrace = next(t for t in seeded.talks if t.title == "eBPF急先锋：surftrace")
    assert "1、BCC部署便捷，但是资源消耗大；\n2、libbpf轻便易用" in surftrace.abstract  # list lines stay lines


def test_the_template_block_and_inline_outline_heading(seeded) -> None:  # type: ignore[no-untyped-def]
    assert not any("XXXX" in s.bio for s in seeded.speakers)
    security = next(t for t in seeded.talks if t.title == "eBPF在安全领域的应用")
    assert security.abstract.endswith("本议题介绍eBPF技术在主机安全、云原生安全的一些探索与实践。")
    assert security.outline[0] == "介绍云原生安全场景下主机安全面临的风险" and len(security.outline) == 4


def test_a_bio_without_an_organisation_gets_no_invented_affiliation(seeded) -> None:  # type: ignore[no-untyped-def]
    speakers = {s.id: s for s in seeded.speakers}
    assert speakers["pizhenwei"].affiliation == ""
    assert speakers["luohao"].affiliation == "美国谷歌"  # "2016年开始任职于美国谷歌", not his university
    assert speakers["fuwei"].bio.endswith("Build things for others who build things!")


def test_several_speakers_in_one_bio_each_get_an_id_and_pinyin() -> None:
    page = (
        "***********\n#### 一个联合演讲\n#### 简要描述\n介绍。\n#### 作者简介\n"
        "张三，华为工程师。\n\n李四（GitHub: lisi-dev），浙江大学\n"
        "***********\n#### 第二个演讲\n#### 简要描述\n再介绍。\n#### 作者简介\n张三，华为工程师。\n"
    )
    content = parse_seed(page)
    assert [t.speakers for t in content.talks] == [["zhangsan", "lisi"], ["zhangsan"]]
    lisi = next(s for s in content.speakers if s.id == "lisi")
    assert (lisi.name, lisi.name_en, lisi.affiliation) == ("李四", "Li Si", "浙江大学")
    assert content.talks[0].links == ["https://github.com/lisi-dev"]


def test_a_page_without_talks_names_the_line() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse_seed("# nothing here\n")


def test_a_talk_without_bio_names_its_line() -> None:
    page = "***********\n#### A talk\n#### 简要描述\ntext\n#### 作者简介\n\n***********\n"
    with pytest.raises(ValueError, match=r"line 2: talk 'A talk' has no 作者简介"):
        parse_seed(page)


def test_a_talk_without_description_names_its_line() -> None:
    page = "***********\n\n#### A talk\n#### 作者简介\n张三，华为工程师\n***********\n"
    with pytest.raises(ValueError, match=r"line 3: talk 'A talk' has no 简要描述"):
        parse_seed(page)


def test_seed_plus_schedule_reproduces_the_bundled_content(seeded) -> None:  # type: ignore[no-untyped-def]
    bundled = load_content_file(BUNDLED_CONTENT)
    by_id = {t.id: t for t in bundled.talks}
    rebuilt = [t.model_copy(update={f: getattr(by_id[t.id], f) for f in OVERLAY_TALK_FIELDS}) for t in seeded.talks]
    assert rebuilt == list(bundled.talks)
    by_sid = {s.id: s for s in bundled.speakers}
    translated = ("name_en", "affiliation_en", "bio_en")
    rebuilt_speakers = [s.model_copy(update={f: getattr(by_sid[s.id], f) for f in translated}) for s in seeded.speakers]
    assert rebuilt_speakers == list(bundled.speakers)


def test_seed_file_matches_the_shared_original() -> None:
    shared = Path(__file__).resolve().parents[4] / "shared" / "seed" / "000_e4cdb1ad73609fc0.txt"
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    assert shared.read_bytes() == SEED.read_bytes()
