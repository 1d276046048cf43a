"""`confbot run` as its own process against the fake Telegram and Slack APIs: probes, metrics, JSON logs,
start-up failures and SIGTERM, as an operator and Prometheus see them."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.features.broadcast import push as broadcasts
from bot.storage.db import Database
from bot.storage.models import Broadcast, OutboxMessage, User
from tests.adapters.process import ConfbotProcess, free_port, sample, wait_until
from tests.adapters.slack.test_e2e import FORM, SECRET, signed, slash
from tests.factories import add_people
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.telegram_server import FakeTelegram


def _people(db: Database, first: int, count: int, platform: str = "telegram") -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        add_people(s, count, now, first=first, platform=platform)


def _broadcast(db: Database, text: str) -> int:
    with db.session() as s:
        return broadcasts.start(
            s, audience=broadcasts.EVERYONE, text=text, created_by="console:ops", now=datetime.now(UTC)
        ).id


def _done(db: Database, cast_id: int) -> bool:
    with db.session() as s:
        return s.scalar(select(Broadcast.status).where(Broadcast.id == cast_id)) == "done"


def _outbox(db: Database) -> dict[tuple[str, str], int]:
    with db.session() as s:
        rows = s.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
                OutboxMessage.kind, OutboxMessage.status
            )
        )
        return {(kind, status): n for kind, status, n in rows}


async def test_telegram_polling_serves_probes_metrics_and_json_logs_without_tokens_or_texts(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    db = Database(db_url)
    db.migrate()
    _people(db, 90_000, 5)
    with db.session() as s:  # a reminder queued for tomorrow: the queue the outbox gauges must show
        user_id = s.scalar(select(User.id).where(User.platform_user_id == "90000"))
        s.execute(
            insert(OutboxMessage).values(
                recipient_id=user_id,
                kind="reminder",
                key="talk:1",
                due_at=datetime.now(UTC) + timedelta(days=1),
                payload={"talk_id": 1},
                status="pending",
                attempts=0,
                created_at=datetime.now(UTC),
                priority=0,
            )
        )
    cast_id = _broadcast(db, "Lunch is *served*")
    fake = FakeTelegram()
    fake.flood.append(1)  # the first push meets a 429 (retry_after 1 s)
    await fake.start()
    bot = ConfbotProcess(
        db_url,
        tmp_path / "bot.log",
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        CONFBOT_LOG_FORMAT="json",
    )
    try:
        await bot.start()
        ready = await bot.wait_ready()
        assert ready.json() == {"status": "ready", "checks": ["database", "content", "telegram", "shutdown"]}
        assert (await bot.get("/healthz")).text == "ok"
        for text in ("/now", "/help", "/frobnicate", "pinecone marmalade"):  # the last is plain text
            fake.push(fake.message_update(501, text, lang="en"))
        await fake.wait_for("sendMessage", 4, timeout=30)
        await wait_until(lambda: _done(db, cast_id), "the broadcast to finish")
        await wait_until(lambda: len([p for p in fake.sent() if "Lunch" in p["text"]]) == 5, "five deliveries")
        metrics = await bot.metrics()
        database = _outbox(db)
        code = await bot.terminate()
    finally:
        await bot.close()
        await fake.stop()
        db.dispose()
    assert code == 0, bot.output()

    for command in ("now", "help", "unknown", "plain"):
        assert sample(metrics, "confbot_updates_total", platform="telegram", command=command) == 1, command
    assert sample(metrics, "confbot_handler_seconds_count", platform="telegram") == 4
    assert sample(metrics, "confbot_push_sends_total", platform="telegram", outcome="sent") == 5
    assert sample(metrics, "confbot_push_sends_total", platform="telegram", outcome="retry") == 1
    assert sample(metrics, "confbot_rate_limited_total", platform="telegram") == 1
    assert sample(metrics, "confbot_database_up") == 1
    # the outbox gauges are the database's own numbers
    gauges = {
        (dict(labels)["kind"], dict(labels)["status"]): value
        for (name, labels), value in metrics.items()
        if name == "confbot_outbox_messages"
    }
    assert gauges == database and database[("reminder", "pending")] == 1 and database[("broadcast", "sent")] == 5
    assert sample(metrics, "confbot_users_active", platform="telegram") == 6  # five seeded, one who wrote

    lines = bot.output().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    handled = [r for r in records if r["logger"] == "confbot.updates"]
    assert sorted(r["command"] for r in handled) == ["help", "now", "plain", "unknown"]
    assert all(r["platform"] == "telegram" and r["update_id"] and r["duration_ms"] >= 0 for r in handled)
    log_text = "\n".join(lines)
    assert fake.token not in log_text and fake.token.split(":")[1] not in log_text
    assert "pinecone" not in log_text and "frobnicate" not in log_text  # never what people wrote


async def test_readyz_is_503_while_telegram_is_unreachable_and_sigterm_ends_the_retries(tmp_path: Path) -> None:
    bot = ConfbotProcess(
        f"sqlite:///{tmp_path / 'run.db'}",
        tmp_path / "bot.log",
        TELEGRAM_BOT_TOKEN="123456:unreachable-token-secret-part",
        TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot",  # nothing listens: connection refused
    )
    try:
        await bot.start()
        await bot.wait_for_http()
        await wait_until(lambda: "getMe failed during start-up" in bot.output(), "a failed start-up attempt")
        not_ready = await bot.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json() == {"status": "not ready", "failing": {"telegram": "not started yet"}}
        assert (await bot.get("/healthz")).status_code == 200  # alive, so not restarted while it retries
        code = await bot.terminate()
    finally:
        await bot.close()
    out = bot.output()
    assert code == 0, out
    attempts = [line for line in out.splitlines() if "getMe failed during start-up" in line]
    assert attempts and all("NetworkError" in line and "retrying in" in line for line in attempts)
    assert "Traceback" not in out and "unreachable-token-secret-part" not in out


async def test_slack_over_http_answers_and_counts_and_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    slack = FakeSlack()
    await slack.start()
    env = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url}
    bot = ConfbotProcess(f"sqlite:///{tmp_path / 'run.db'}", tmp_path / "bot.log", SLACK_BOT_TOKEN=TOKEN, **env)
    wrong = ConfbotProcess(
        f"sqlite:///{tmp_path / 'wrong.db'}", tmp_path / "wrong.log", SLACK_BOT_TOKEN="xoxb-revoked-0000-secret", **env
    )
    try:
        await bot.start()
        await wrong.start()
        assert (await bot.wait_ready()).json()["checks"] == ["database", "content", "slack", "shutdown"]
        body = slash(slack, "U1PROC", "now")
        answer = await bot.http.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        assert answer.status_code == 200
        await slack.wait_for("response")
        metrics = await bot.metrics()
        code = await bot.terminate()
        wrong_code = await wrong.wait_exit()
    finally:
        await bot.close()
        await wrong.close()
        await slack.stop()
    assert code == 0, bot.output()
    assert sample(metrics, "confbot_updates_total", platform="slack", command="now") == 1
    assert wrong_code == 2
    out = wrong.output()
    (line,) = [line for line in out.splitlines() if "ERROR" in line]
    assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line
    assert "Traceback" not in out and "xoxb-revoked" not in out


# CONFBOT_TEST_SHUTDOWN_PEOPLE=10000 runs it at the size docs/operations.md reports
PEOPLE = int(os.environ.get("CONFBOT_TEST_SHUTDOWN_PEOPLE", "1000"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'run.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


async def test_sigterm_mid_broadcast_exits_0_quickly_and_a_restart_sends_the_rest_exactly_once(
    tmp_path: Path, empty_db_url: str
) -> None:
    people, first = PEOPLE, 70_000
    db_url = empty_db_url
    db = Database(db_url)
    db.migrate()
    _people(db, first, people)
    cast_id = _broadcast(db, "Doors open at *9:00*")
    fake = FakeTelegram()
    await fake.start()

    def delivered() -> Counter[int]:
        return Counter(int(p["chat_id"]) for p in fake.sent() if p["text"] == "Doors open at <b>9:00</b>")

    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url, "TELEGRAM_RATE_LIMIT": "200"}
    first_run = ConfbotProcess(db_url, tmp_path / "first.log", **env)
    second_run = ConfbotProcess(db_url, tmp_path / "second.log", **env)
    try:
        await first_run.start()
        await wait_until(lambda: sum(delivered().values()) >= people // 5, "a fifth of the deliveries", timeout=120)
        signalled = time.monotonic()
        code = await first_run.terminate(within=10.0)
        stopped_in = time.monotonic() - signalled
        at_stop = sum(delivered().values())
        print(f"{people} people: SIGTERM after {at_stop} deliveries, exit {code} in {stopped_in:.2f} s")
        queue = _outbox(db)
        await second_run.start()
        finish = max(120.0, people / 20)  # generous: the machine is shared
        await wait_until(lambda: _done(db, cast_id), "the restarted bot to finish the broadcast", timeout=finish)
        final = _outbox(db)
        await second_run.terminate()
    finally:
        await first_run.close()
        await second_run.close()
        await fake.stop()
        db.dispose()
    assert code == 0, first_run.output()
    assert people // 5 <= at_stop < people
    assert ("broadcast", "sending") not in queue  # every claim was finished or handed back
    assert queue[("broadcast", "sent")] == at_stop  # each delivery recorded before the process left
    counts = delivered()
    assert set(counts) == set(range(first, first + people)) and set(counts.values()) == {1}  # all, exactly once
    assert final[("broadcast", "sent")] == people
