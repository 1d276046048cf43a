"""The live poll a room's screen shows (``/rooms/<id>/screen``): the talk's open poll, merged counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.features.browse.board import ScreenPoll
from bot.features.polls import polls
from bot.i18n import t


def screen_poll(session: Session, talk_id: int, lang: str, now: datetime) -> ScreenPoll | None:
    """The newest open poll on ``talk_id`` with its votes from every platform; None without one."""
    poll = polls.open_poll(session, talk_id, now)
    if poll is None:
        return None
    tally = polls.tally(session, poll)
    options = tuple(zip(poll.options, tally.counts, strict=True))
    return ScreenPoll(t(lang, "poll.screen_title"), poll.question, options, t(lang, "poll.total", count=tally.total))
