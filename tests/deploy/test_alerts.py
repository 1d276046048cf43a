"""deploy/prometheus-alerts.yaml: the four alerts docs/deploy.md suggests, the same text in both."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.deploy.tools import DEPLOY, ROOT

ALERTS = DEPLOY / "prometheus-alerts.yaml"


def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_the_docs_show_the_rules_file_as_it_is() -> None:
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    shown = re.search(r"```yaml\n(groups:.*?)```", docs, re.S)
    assert shown, "docs/deploy.md shows the rules"
    assert yaml.safe_load(shown.group(1)) == yaml.safe_load(ALERTS.read_text(encoding="utf-8"))


def test_four_alerts_late_pushes_429s_failed_sends_and_failed_answers() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert set(by_name) == {"ConfbotPushesLate", "ConfbotRateLimited", "ConfbotSendsFailing", "ConfbotRepliesFailing"}
    assert "confbot_replies_failed_total" in by_name["ConfbotRepliesFailing"]["expr"]
    assert "confbot_outbox_oldest_due_seconds" in by_name["ConfbotPushesLate"]["expr"]
    assert "> 60" in by_name["ConfbotPushesLate"]["expr"]
    assert "confbot_rate_limited_total" in by_name["ConfbotRateLimited"]["expr"]
    assert 'outcome="failed"' in by_name["ConfbotSendsFailing"]["expr"]
    for rule in rules():
        assert rule["annotations"]["summary"] and rule["labels"]["severity"] in {"page", "warn"}


def test_every_metric_the_alerts_use_is_one_the_bot_exports() -> None:
    sources = "".join(
        (ROOT / path).read_text(encoding="utf-8") for path in ("bot/ops/metrics.py", "bot/delivery/counters.py")
    )
    for rule in rules():
        for name in re.findall(r"confbot_[a-z_]+", rule["expr"]):
            base = name.removesuffix("_total")  # prometheus_client adds _total to a Counter's name
            assert f'"{base}"' in sources, f"{rule['alert']} uses {name}, which the bot does not export"
