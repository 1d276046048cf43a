"""Company names both ways (字节 ↔ 字节跳动 ↔ ByteDance, google ↔ 谷歌), from the seed and from content."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.programme.content.loader import ContentError, load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker, Talk
from bot.programme.search import SearchIndex
from bot.programme.search.aliases import Aliases
from tests.factories import small_content, write_content


def index_of(*talks: Talk, speakers: list[Speaker], aliases: list[list[str]] | None = None) -> SearchIndex:
    content = small_content()
    assert content.conference is not None
    conference = content.conference.model_copy(update={"aliases": aliases or []})
    return SearchIndex(
        Programme.from_content(
            content.model_copy(update={"conference": conference, "talks": list(talks), "speakers": speakers})
        )
    )


def talk_ids(index: SearchIndex, query: str) -> list[int]:
    return [h.talk.id for h in index.search(query) if h.talk is not None]


SPEAKERS = [
    Speaker(id="wang", name="王五", bio="曾在字节跳动、谷歌工作，现为独立开发者"),
    Speaker(id="zhao", name="赵六", affiliation="谷歌"),
    Speaker(id="sun", name="孙七", affiliation="红帽"),
]
TALKS = [
    Talk(id=1, title="内存分配器的演进", speakers=["wang"]),  # mentions the companies in the bio only
    Talk(id=2, title="字节跳动的大规模网络观测", speakers=["zhao"]),
    Talk(id=3, title="在 ByteDance 调度百万容器", speakers=["sun"]),
]


def test_the_seed_knows_short_forms_and_english_names_both_ways() -> None:
    aliases = Aliases()
    assert {"字节跳动", "bytedance"} <= set(aliases.others("字节"))
    assert "字节" in aliases.others("bytedance")
    assert {"阿里巴巴", "alibaba", "alibaba cloud"} <= set(aliases.others("阿里云"))
    assert "谷歌" in aliases.others("google") and "google" in aliases.others("谷歌")
    assert "red hat" in aliases.phrases and "红帽" in aliases.others("red hat")
    assert aliases.others("ebpf") == ()


def test_a_title_naming_the_company_ranks_above_a_bio_mentioning_it() -> None:
    index = index_of(*TALKS, speakers=SPEAKERS)
    for query in ("字节", "字节跳动", "ByteDance", "bytedance", "字节的分享"):
        found = talk_ids(index, query)
        assert found[:2] in ([2, 3], [3, 2]) and found[-1] == 1, query


def test_an_english_name_finds_a_chinese_only_affiliation_and_back() -> None:
    index = index_of(*TALKS, speakers=SPEAKERS)
    assert talk_ids(index, "google")[0] == 2  # the affiliation 谷歌, no English text anywhere
    assert talk_ids(index, "Google 老师")[0] == 2
    assert talk_ids(index, "red hat") == [3]  # a company name of two words
    assert talk_ids(index, "Red Hat 容器") == [3]


def test_an_organizer_adds_an_alias_in_the_conference_file() -> None:
    speakers = [Speaker(id="li", name="李八", affiliation="示例科技")]
    talks = [Talk(id=1, title="边缘网关实践", speakers=["li"])]
    assert talk_ids(index_of(*talks, speakers=speakers), "Example Tech") == []
    index = index_of(*talks, speakers=speakers, aliases=[["示例科技", "Example Tech", "示例"]])
    assert talk_ids(index, "Example Tech") == [1]
    assert talk_ids(index, "示例") == [1]


def test_an_organizers_group_sharing_a_name_extends_a_seed_group() -> None:
    aliases = Aliases.with_seed([["字节", "Douyin Group"]])
    assert "douyin group" in aliases.others("bytedance")
    assert "字节跳动" in aliases.others("douyin group")


def test_aliases_load_from_content_and_a_lone_name_is_reported(tmp_path: Path) -> None:
    write_content(tmp_path)
    path = tmp_path / "content.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["conference"]["aliases"] = [["示例科技", "Example Tech"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_content(tmp_path).conference.aliases == [["示例科技", "Example Tech"]]
    data["conference"]["aliases"] = [["示例科技"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="two names"):
        load_content(tmp_path)
