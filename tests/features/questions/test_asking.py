"""bot.features.questions.asking on SQLite and the real PostgreSQL: one vote per person per question (a second
insert is ignored by the database), ranking, and the migration's single head and downgrade."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot import users
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.features.questions import asking as questions
from bot.storage.db import Database, alembic_config
from tests.factories import small_programme


def test_votes_count_once_per_person_and_rank_pinned_first(any_db: Database, clock: FakeClock) -> None:
    talk = small_programme().talk(2)
    assert talk is not None
    now = talk.start + timedelta(minutes=5)  # type: ignore[operator]
    with any_db.session() as s:
        people = [users.touch(s, Request(Address("telegram", str(n), str(n)), text="/start"), now)[0] for n in range(3)]
        s.flush()
        first = questions.ask(s, people[0], talk, "first  question\nwith   spaces", now)
        second = questions.ask(s, people[1], talk, "second question", now)
        assert isinstance(first, questions.Question) and isinstance(second, questions.Question)
        assert first.text == "first question with spaces"
        for voter in (people[1], people[2], people[2]):
            assert questions.vote(s, voter, second.id, now) is not None
        listed = questions.ranked(s, talk.id, people[2])
        assert [(q.text, q.votes, q.voted) for q in listed] == [("second question", 2, True), (first.text, 0, False)]
        questions.moderate(s, first.id, "pin")
        assert [q.id for q in questions.ranked(s, talk.id, people[0])] == [first.id, second.id]
        questions.moderate(s, second.id, "hide")
        assert questions.vote(s, people[0], second.id, now) is None  # hidden: no more votes
        assert questions.counts(s, talk.id) == {"open": 1, "hidden": 1}


def test_the_questions_migration_is_the_single_head_and_downgrades(any_db: Database) -> None:
    cfg = alembic_config(any_db.engine)
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1
    ours = next(r for r in script.walk_revisions() if (r.doc or "").startswith("questions to talks"))
    assert {"questions", "question_votes"} <= set(inspect(any_db.engine).get_table_names())
    command.downgrade(cfg, str(ours.down_revision))
    assert not {"questions", "question_votes"} & set(inspect(any_db.engine).get_table_names())
    any_db.migrate()
    assert {"questions", "question_votes"} <= set(inspect(any_db.engine).get_table_names())
