"""An answer the platform refuses is never silence: the person gets a short apology in their language,
the operator one log line with the update id and a count in ``confbot_replies_failed_total``."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

import adapters.slack.outbound as slack_outbound
import adapters.telegram.outbound as telegram_outbound
import adapters.wechat.adapter as wechat_adapter
from tests.scenarios.driver import Platform


def failed(platform: str, reason: str) -> float:
    """The counter's value now (0 before its first increment)."""
    labels = {"platform": platform, "reason": reason}
    return REGISTRY.get_sample_value("confbot_replies_failed_total", labels) or 0.0


async def test_a_refused_answer_gets_an_apology_and_is_counted(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    before = failed(platform.name, "rejected")
    platform.refuse_next()
    with caplog.at_level(logging.WARNING):
        sorry = await platform.send("alice", "/agenda", lang="zh")
    assert sorry.text.startswith("抱歉，这条回复没能发出") and sorry.actions == []
    assert failed(platform.name, "rejected") == before + 1
    lines = [r.getMessage() for r in caplog.records if "not answered" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith(f"{platform.name} update ") and "refused the reply" in lines[0]
    assert lines[0].split()[2] not in ("None", ""), lines  # the update id, to find it in the platform's logs
    agenda = await platform.send("alice", "/agenda", lang="zh")  # the next answer goes through again
    assert "第1天" in agenda.text


async def test_a_refused_button_answer_gets_an_apology_in_english(platform: Platform) -> None:
    await platform.send("bob", "/agenda", lang="en")
    before = failed(platform.name, "rejected")
    platform.refuse_next()
    sorry = await platform.press("bob", "agenda 2")
    assert sorry.text.startswith("Sorry, that answer could not be sent")
    assert failed(platform.name, "rejected") == before + 1


async def test_a_reply_that_cannot_be_rendered_gets_an_apology_and_is_counted(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    renderers = {
        "telegram": (telegram_outbound, "to_html"),
        "slack": (slack_outbound, "to_blocks"),
        "wechat": (wechat_adapter, "render"),
    }
    module, name = renderers[platform.name]
    real = getattr(module, name)
    broken_once: list[object] = []

    def renderer_with_a_bug(reply: object, *args: object) -> object:
        if not broken_once:  # the answer itself; the apology after it renders
            broken_once.append(reply)
            raise ValueError("a renderer bug")
        return real(reply, *args)

    await platform.send("carol", "/now", lang="en")  # carol has written before (and chosen English, on WeChat)
    monkeypatch.setattr(module, name, renderer_with_a_bug)
    before = failed(platform.name, "render")
    with caplog.at_level(logging.WARNING):
        sorry = await platform.send("carol", "/agenda", lang="en")
    assert sorry.text.startswith("Sorry, that answer could not be sent")
    assert failed(platform.name, "render") == before + 1
    assert [r.getMessage() for r in caplog.records if "could not be rendered" in r.getMessage()] != []
