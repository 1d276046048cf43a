"""``confbot run`` with several worker processes on one port (``CONFBOT_WORKERS``, adapters/workers.py):
how many it starts, what it refuses, and the whole run against the fake Bot API on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections import deque
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from adapters.runner import preflight
from adapters.telegram.webhook import SECRET_HEADER
from adapters.workers import MAX_AUTO, MetricsDir, WorkerSide, cpu_max_files, usable_cores, worker_count
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Replica
from tests.adapters.process import ConfbotProcess, children_of, sample, wait_until
from tests.fakes.telegram_server import FakeTelegram

PG = "postgresql+psycopg://db.example/confbot"
WEBHOOK = {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org", "TELEGRAM_WEBHOOK_SECRET": "s3cret"}


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _quota(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cpu.max"
    path.write_text(text)
    return path


def test_auto_is_one_worker_per_usable_core_where_replicas_can_run(tmp_path: Path) -> None:
    webhook = {"telegram_bot_token": "1:x", "telegram_webhook_url": "https://b.example", "telegram_webhook_secret": "s"}
    unlimited = [_quota(tmp_path, "max 100000\n")]
    cores = len(os.sched_getaffinity(0))
    assert worker_count(_settings(database_url=PG, **webhook), unlimited) == min(cores, MAX_AUTO)
    # a container limited to 1.5 CPUs gets two workers at most, one CPU gets one
    assert worker_count(_settings(database_url=PG, **webhook), [_quota(tmp_path, "150000 100000")]) == min(cores, 2)
    assert usable_cores([_quota(tmp_path, "100000 100000")]) == 1
    assert usable_cores([tmp_path / "no-such-file"]) == cores
    # one process where replicas can't run: SQLite, or Telegram's long polling
    assert worker_count(_settings(database_url="sqlite:///x.db", **webhook), unlimited) == 1
    assert worker_count(_settings(database_url=PG, telegram_bot_token="1:x"), unlimited) == 1
    assert worker_count(_settings(database_url=PG, web=True, workers="3"), unlimited) == 3


def _mountinfo(tmp_path: Path, *mounts: str) -> Path:
    """A /proc/self/mountinfo listing ``mounts`` ("<root> <point> <type> <super options>")."""
    lines = ["22 1 8:1 / / rw,relatime - ext4 /dev/vda rw"]
    for n, mount in enumerate(mounts):
        root, point, kind, options = mount.split()
        lines.append(f"{30 + n} 22 0:{26 + n} {root} {point} rw,nosuid,nodev,relatime - {kind} {kind} {options}")
    path = tmp_path / "mountinfo"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_quota_on_the_service_s_own_cgroup_or_a_parent_counts(tmp_path: Path) -> None:
    """systemd's CPUQuota= sits on the service's cgroup, not on the root the container sees."""
    service = tmp_path / "system.slice" / "confbot.service"
    service.mkdir(parents=True)
    (service / "cpu.max").write_text("100000 100000\n")  # CPUQuota=100%
    (tmp_path / "system.slice" / "cpu.max").write_text("max 100000\n")
    own = tmp_path / "self-cgroup"
    own.write_text("0::/system.slice/confbot.service\n")
    other = tmp_path / "other"  # another container's cgroup, bind-mounted in (a monitoring sidecar's)
    other.mkdir()
    (other / "cpu.max").write_text("100000 100000\n")
    mountinfo = _mountinfo(
        tmp_path, f"/ {tmp_path} cgroup2 rw,nsdelegate", f"/machine.slice/x.scope {other} cgroup2 rw"
    )
    files = cpu_max_files(own, mountinfo)
    assert files == [service / "cpu.max", tmp_path / "system.slice" / "cpu.max", tmp_path / "cpu.max"]
    assert usable_cores(files) == 1
    (service / "cpu.max").write_text("max 100000\n")  # no quota of ours: the other one's does not count
    assert usable_cores(cpu_max_files(own, mountinfo)) == len(os.sched_getaffinity(0))


def test_a_cgroup_v1_quota_counts_as_docker_cpus_on_an_older_host(tmp_path: Path) -> None:
    """cgroup v1: the quota is cpu.cfs_quota_us over cpu.cfs_period_us under the cpu controller's mount,
    wherever mountinfo says it is; in a container without a cgroup namespace the mount shows the
    container's own cgroup, which /proc/self/cgroup names by its host path."""
    mount = tmp_path / "cpu"  # cpu and cpuacct mounted together at .../cpu, with no cpu,cpuacct directory
    mount.mkdir()
    (mount / "cpu.cfs_quota_us").write_text("50000\n")  # docker run --cpus=0.5: one worker
    (mount / "cpu.cfs_period_us").write_text("100000\n")
    own = tmp_path / "self-cgroup"
    own.write_text("12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n0::/system.slice/containerd.service\n")
    mountinfo = _mountinfo(
        tmp_path, f"/docker/abc {mount} cgroup rw,cpu,cpuacct", f"/docker/abc {tmp_path}/mem cgroup rw,memory"
    )
    assert cpu_max_files(own, mountinfo) == [mount / "cpu.cfs_quota_us"]
    assert usable_cores(cpu_max_files(own, mountinfo)) == 1
    (mount / "cpu.cfs_quota_us").write_text("-1\n")  # no quota: every core the process may run on
    assert usable_cores(cpu_max_files(own, mountinfo)) == len(os.sched_getaffinity(0))

    # systemd inside that container: CPUQuota= on the service, below the container's cgroup
    service = mount / "system.slice" / "confbot.service"
    service.mkdir(parents=True)
    (service / "cpu.cfs_quota_us").write_text("100000\n")
    (service / "cpu.cfs_period_us").write_text("100000\n")
    own.write_text("12:cpu,cpuacct:/docker/abc/system.slice/confbot.service\n")
    assert cpu_max_files(own, mountinfo)[0] == service / "cpu.cfs_quota_us"
    assert usable_cores(cpu_max_files(own, mountinfo)) == 1


HOLD_ONE = (
    "import sys, time; from pathlib import Path; from adapters.workers import MetricsDir;"
    "print(MetricsDir.fresh(Path(sys.argv[1])).path, flush=True); time.sleep(60)"
)


def test_a_killed_supervisor_s_metrics_directory_is_removed_by_the_next_start(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up: the next supervisor removes what dead ones left (its pid reused or
    not, in a container where every supervisor is pid 1), never a running one's or anything else."""
    holders = [
        subprocess.Popen([sys.executable, "-c", HOLD_ONE, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        killed, running = (Path((h.stdout.readline() if h.stdout else "").strip()) for h in holders)
        (killed / "counter_123.db").write_bytes(b"0" * 1024)
        holders[0].kill()
        holders[0].wait()
        unrelated = tmp_path / "confbot-metrics-2024-notes"  # not a supervisor's: no lock was ever taken
        unrelated.mkdir()
        mine = MetricsDir.fresh(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.path.name, running.name, unrelated.name])
        mine.remove()
        assert not mine.path.exists()
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()


def test_a_machine_s_workers_each_enforce_the_machine_s_share_of_a_person_s_limit() -> None:
    """A connection stays with one worker, so a person's messages don't spread over the workers."""
    with socket.socket() as sock:
        second = WorkerSide(sock, -1, 2, 2, os.getppid())
        assert second.name == "2/2"
        assert second.inbound_shares({"telegram": 0.5}) == {"telegram": 1.0}  # this machine alone
        assert second.inbound_shares({"telegram": 0.25}) == {"telegram": 0.5}  # one of two machines


def test_more_than_one_worker_where_only_one_process_can_run_is_refused_before_anything_starts() -> None:
    problem = preflight(_settings(database_url="sqlite:///x.db", web=True, workers="2"))
    assert problem is not None and "CONFBOT_WORKERS=2" in problem and "SQLite" in problem
    polling = preflight(_settings(database_url=PG, telegram_bot_token="1:x", workers="2"))
    assert polling is not None and "long polling" in polling
    assert preflight(_settings(database_url="sqlite:///x.db", web=True, workers="1")) is None
    assert preflight(_settings(database_url=PG, web=True, workers="4")) is None
    assert _settings(workers=" AUTO ").workers == "auto" and _settings(workers=" 2 ").workers == 2
    with pytest.raises(ValidationError):
        _settings(workers="0")
    with pytest.raises(ValidationError):
        _settings(workers="many")


def _workers(supervisor: int) -> list[int]:
    """The supervisor's live child processes, in pid order."""
    return sorted(children_of(supervisor))


def _gone(pid: int) -> bool:
    """The process has ended (an orphan's zombie counts as ended: nobody here reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def _post_updates(bot: ConfbotProcess, fake: FakeTelegram, users: range) -> list[int]:
    """One text from each user at once, each over its own connection; the webhook's statuses."""

    async def one(user: int) -> int:
        async with httpx.AsyncClient(base_url=bot.http.base_url, timeout=20) as client:
            update = fake.message_update(user, "/now", lang="en")
            answer = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "s3cret"})
            return answer.status_code

    return list(await asyncio.gather(*(one(user) for user in users)))


def _answered(fake: FakeTelegram, below: int = 7100) -> list[int]:
    """The chats sent an answer, once per answer (the burst's person left out)."""
    chats = (int(params["chat_id"]) for method, params in fake.calls if method == "sendMessage")
    return sorted(chat for chat in chats if chat < below)


@pytest.mark.postgres
async def test_two_workers_answer_every_update_once_restart_a_killed_one_and_stop_on_sigterm(
    tmp_path: Path, pg_schema_url: str
) -> None:
    fake = FakeTelegram()
    await fake.start()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url, "CONFBOT_WORKERS": "2", **WEBHOOK}
    env["TMPDIR"] = str(tmp_path)  # the supervisor's metrics directory
    bot = ConfbotProcess(pg_schema_url, tmp_path / "bot.log", **env)
    db = Database(pg_schema_url)
    try:
        await bot.start()
        assert bot.process is not None
        supervisor = bot.process.pid
        await wait_until(lambda: "(worker 1/2)" in bot.output() and "(worker 2/2)" in bot.output(), "both workers")
        first = _workers(supervisor)
        assert len(first) == 2
        with db.session() as s:  # each worker is a replica: they split the send rate and inbound limits
            assert len(s.scalars(select(Replica.id)).all()) == 2

        statuses = await _post_updates(bot, fake, range(7001, 7031))
        assert statuses == [200] * 30
        assert _answered(fake) == list(range(7001, 7031))  # every update answered, none twice
        metrics = await bot.metrics()  # whichever worker answers counts both workers' updates
        assert sample(metrics, "confbot_updates_total", platform="telegram", command="now") == 30

        # one person's quick burst over one kept-alive connection (one worker): within their limit
        for _ in range(16):
            update = fake.message_update(7100, "/now", lang="en")
            sent = await bot.http.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "s3cret"})
            assert sent.status_code == 200
        burst = [
            params["text"] for method, params in fake.calls if method == "sendMessage" and params["chat_id"] == 7100
        ]
        assert len(burst) == 16 and not any("too fast" in text for text in burst)

        os.kill(first[0], signal.SIGKILL)  # a worker dies (OOM, a crash): it is started again
        await wait_until(lambda: first[0] not in _workers(supervisor) and len(_workers(supervisor)) == 2, "restart")
        await wait_until(lambda: bot.output().count("(worker 1/2)") + bot.output().count("(worker 2/2)") == 3, "up")
        assert await _post_updates(bot, fake, range(7031, 7041)) == [200] * 10
        assert _answered(fake) == list(range(7001, 7041))
        serving = _workers(supervisor)
        code = await bot.terminate(within=20)
    finally:
        await bot.close()
        await fake.stop()
        db.dispose()
    assert code == 0, bot.output()
    assert all(_gone(pid) for pid in serving)  # no worker outlives the run
    assert not list(tmp_path.glob("confbot-metrics-*"))  # nor the workers' counters
    out = bot.output()
    assert "exited with status -9; restarting in 1 s" in out
    assert "Traceback" not in out


@pytest.mark.postgres
async def test_the_machine_is_ready_only_once_every_worker_answers_updates(tmp_path: Path, pg_schema_url: str) -> None:
    """A probe reaches any worker: while one is still connecting, none says ready; once one does, an
    update is answered whichever worker takes it (a worker still starting would answer 503)."""
    fake = FakeTelegram()
    fake.slow_calls["setWebhook"] = deque([3.0])  # one worker's start waits for its webhook
    await fake.start()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url, "CONFBOT_WORKERS": "2", **WEBHOOK}
    bot = ConfbotProcess(pg_schema_url, tmp_path / "bot.log", TMPDIR=str(tmp_path), **env)
    try:
        await bot.start()
        await bot.wait_for_http()
        reasons: list[str] = []
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            async with httpx.AsyncClient(base_url=bot.http.base_url) as client:  # a new connection each time
                probe = await client.get("/readyz")
            if probe.status_code == 200:
                break
            reasons.append(probe.text)
            assert asyncio.get_running_loop().time() < deadline, probe.text
            await asyncio.sleep(0.05)
        statuses = await _post_updates(bot, fake, range(7001, 7021))
    finally:
        await bot.close()
        await fake.stop()
    assert statuses == [200] * 20
    assert _answered(fake) == list(range(7001, 7021))
    assert any("other workers of this machine are still starting" in reason for reason in reasons), reasons


@pytest.mark.postgres
async def test_workers_stop_when_their_supervisor_is_killed_and_a_rejected_token_ends_the_run(
    tmp_path: Path, pg_schema_url: str
) -> None:
    fake = FakeTelegram()
    await fake.start()
    # TMPDIR: the metrics directory a killed supervisor leaves behind goes with the test's files
    env = {"TELEGRAM_API_URL": fake.base_url, "CONFBOT_WORKERS": "2", "TMPDIR": str(tmp_path), **WEBHOOK}
    bot = ConfbotProcess(pg_schema_url, tmp_path / "bot.log", TELEGRAM_BOT_TOKEN=fake.token, **env)
    wrong = ConfbotProcess(pg_schema_url, tmp_path / "wrong.log", TELEGRAM_BOT_TOKEN="999:revoked-secret", **env)
    try:
        await bot.start()
        await wrong.start()
        assert bot.process is not None
        supervisor = bot.process.pid
        await wait_until(lambda: "(worker 1/2)" in bot.output() and "(worker 2/2)" in bot.output(), "both workers")
        workers = _workers(supervisor)
        bot.process.kill()
        await bot.process.wait()
        await wait_until(lambda: all(_gone(pid) for pid in workers), "the orphaned workers to stop", timeout=15)
        wrong_code = await wrong.wait_exit()
    finally:
        await bot.close()
        await wrong.close()
        await fake.stop()
    assert "the supervisor is gone; stopping" in bot.output()
    assert wrong_code == 2  # as one process would: a rejected token is a configuration error
    out = wrong.output()
    assert "could not start (exit status 2): stopping every worker" in out
    assert "Traceback" not in out and "revoked-secret" not in out
