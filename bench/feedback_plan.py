"""The rating prompts' minute job and the ratings' /stats summary with many subscribers.

Run: ``python -m bench.feedback_plan [--subscribers 1000 10000] [--db sqlite postgres]``
(PostgreSQL: a private schema in ``CONFBOT_BENCH_POSTGRES_URL``, dropped after).

For each size, N people subscribe to talk 2 of the bundled conference and rate it (bulk inserts).
With the clock 6 minutes after the talk's end, it times:

- ``plan first``: the minute job's first run, which queues N prompts (one INSERT … ON CONFLICT per
  subscriber);
- ``plan again``: every later run while the talk is in its 3-hour window (all N already queued:
  the conflicts make it a no-op), the steady cost each replica pays once a minute;
- ``summary``: the ``/stats`` ratings section (one GROUP BY over the N ratings).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.table import print_table
from bot.clock import FakeClock
from bot.features.feedback import push as prompts
from bot.features.feedback import ratings as feedback
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT
from bot.storage.db import Database
from bot.storage.models import Rating, Subscription, User
from tests.pg_schema import migrated_database

POSTGRES_URL = os.environ.get("CONFBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TALK = 2


@contextlib.contextmanager
def database(kind: str) -> Iterator[Database]:
    """A migrated database: a temporary SQLite file, or a private PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            db.migrate()
            yield db
            db.dispose()
        return
    with migrated_database(POSTGRES_URL, "bench") as db:
        yield db


def seed(db: Database, programme: Programme, n: int, clock: FakeClock) -> None:
    """N people subscribed to the talk, each with a rating (one in five with a comment)."""
    now = clock.now()
    with db.session() as s:
        s.execute(
            insert(User),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": str(i),
                    "chat_id": str(i),
                    "first_seen": now,
                    "last_seen": now,
                }
                for i in range(n)
            ],
        )
        ids = [row[0] for row in s.execute(text("SELECT id FROM users ORDER BY id"))]
        s.execute(insert(Subscription), [{"user_id": u, "talk_id": TALK, "created_at": now} for u in ids])
        s.execute(
            insert(Rating),
            [
                {
                    "user_id": u,
                    "talk_id": TALK,
                    "stars": 1 + u % 5,
                    "comment": "clear and practical" if u % 5 == 0 else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for u in ids
            ],
        )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(kind: str, n: int, programme: Programme) -> dict[str, object]:
    talk = programme.talk(TALK)
    assert talk is not None and talk.end is not None
    clock = FakeClock(talk.end + timedelta(minutes=6))
    with database(kind) as db:
        seed(db, programme, n, clock)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            with db.session() as s:
                queued = prompts.plan(s, programme, now=clock.now(), delay_minutes=5)
            timings.append((time.perf_counter() - started, queued))
        started = time.perf_counter()
        with db.session() as s:
            (summary,) = feedback.summary(s, programme)
        took = time.perf_counter() - started
    assert timings[0][1] == n and timings[1][1] == 0 and summary.count == n
    return {
        "db": kind,
        "subscribers": n,
        "plan first (queues N)": ms(timings[0][0]),
        "plan again (no-op)": ms(timings[1][0]),
        "summary": ms(took),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    programme = load_content(BUNDLED_CONTENT)
    print_table([run(kind, n, programme) for kind in args.db for n in args.subscribers])


if __name__ == "__main__":
    main()
