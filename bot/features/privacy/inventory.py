"""What the bot stores about one person (``/mydata``), as lines in their language.

Each table that can name a person is read here; ``docs/privacy.md`` lists every column and why it is
kept. The calendar feed's token is not shown (``/ics`` shows its address in a private chat).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.chat.messages import Line, Span, bold
from bot.features.privacy.erase import account_of
from bot.i18n import t
from bot.programme.cards import title_of
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.models import (
    AuditEntry,
    Broadcast,
    CalendarFeed,
    ChatChoices,
    Confirmation,
    OutboxMessage,
    PendingInput,
    PushGrant,
    PushWindow,
    Question,
    QuestionVote,
    Rating,
    ScheduleOverride,
    Subscription,
    Ticket,
    TicketMessage,
    User,
    WebAgenda,
)

_STATES = {  # questions, tickets and pushes
    "open": ("待回答", "open"),
    "answered": ("已回答", "answered"),
    "hidden": ("已隐藏", "hidden"),
    "closed": ("已关闭", "closed"),
    "pending": ("待发送", "waiting"),
    "sending": ("发送中", "being sent"),
    "sent": ("已发送", "sent"),
    "failed": ("发送失败", "failed"),
    "blocked": ("已屏蔽", "blocked"),
    "missed": ("已过时", "too late"),
    "cancelled": ("已取消", "cancelled"),
    "unreachable": ("超出聊天窗口", "outside the chat window"),
}

MAX_AUDIT = 50  # the newest audit entries listed; the count says how many there are


def _at(when: datetime | None, programme: Programme) -> str:
    return when.astimezone(programme.tz).strftime("%Y-%m-%d %H:%M") if when else "—"


def _talk(programme: Programme, talk_id: int, lang: str) -> str:
    talk = programme.talk(talk_id)
    return f"#{talk_id} {title_of(talk, lang)}" if talk else f"#{talk_id}"


def _state(lang: str, state: str) -> str:
    return t(lang, f"mydata.state.{state}") if state in _STATES else state


def _kept(lang: str, days: int) -> str:
    return t(lang, "mydata.days", days=days) if days else t(lang, "mydata.forever")


def _line(text: str) -> Line:
    return (Span(text),)


def _section(lines: list[Line], title: str) -> None:
    lines.append(())
    lines.append((bold(title),))


def _account(user: User, programme: Programme, lang: str) -> list[Line]:
    how = t(lang, "mydata.lang_chosen" if user.language_set else "mydata.lang_guessed")
    state = t(lang, "mydata.on" if user.reminders_on else "mydata.off")
    lines: list[Line] = [
        (bold(t(lang, "mydata.account")),),
        _line(t(lang, "mydata.platform", platform=user.platform, id=user.platform_user_id)),
        _line(t(lang, "mydata.chat", chat=user.chat_id + (f" / {user.thread}" if user.thread else ""))),
        _line(t(lang, "mydata.name", name=user.display_name or "—")),
        _line(t(lang, "mydata.language", code=user.language, how=how)),
        _line(t(lang, "mydata.seen", first=_at(user.first_seen, programme), last=_at(user.last_seen, programme))),
        _line(t(lang, "mydata.reminders", state=state, minutes=user.lead_minutes)),
    ]
    if not user.active:
        lines.append(_line(t(lang, "mydata.blocked")))
    return lines


def _activity(session: Session, user: User, programme: Programme, lang: str) -> list[Line]:
    lines: list[Line] = []
    talks = list(session.scalars(select(Subscription.talk_id).where(Subscription.user_id == user.id)))
    _section(lines, t(lang, "mydata.subscriptions", count=len(talks)))
    lines += [_line(_talk(programme, talk_id, lang)) for talk_id in sorted(talks)]
    ratings = list(session.scalars(select(Rating).where(Rating.user_id == user.id).order_by(Rating.talk_id)))
    _section(lines, t(lang, "mydata.ratings", count=len(ratings)))
    for rating in ratings:
        comment = f" “{rating.comment}”" if rating.comment else ""
        lines.append(_line(f"{_talk(programme, rating.talk_id, lang)}: {'★' * rating.stars}{comment}"))
    votes = func.count(QuestionVote.user_id)
    questions = session.execute(
        select(Question, votes)
        .outerjoin(QuestionVote, QuestionVote.question_id == Question.id)
        .where(Question.user_id == user.id)
        .group_by(Question.id)
        .order_by(Question.id)
    ).all()
    _section(lines, t(lang, "mydata.questions", count=len(questions)))
    for question, count in questions:
        params = {
            "talk": question.talk_id,
            "text": question.text,
            "state": _state(lang, question.state),
            "votes": count,
        }
        lines.append(_line(t(lang, "mydata.question", **params)))
    voted = session.scalar(select(func.count()).select_from(QuestionVote).where(QuestionVote.user_id == user.id))
    lines.append(_line(t(lang, "mydata.votes", count=voted or 0)))
    return lines


def _tickets(session: Session, user: User, programme: Programme, lang: str) -> list[Line]:
    lines: list[Line] = []
    tickets = list(session.scalars(select(Ticket).where(Ticket.user_id == user.id).order_by(Ticket.id)))
    _section(lines, t(lang, "mydata.tickets", count=len(tickets)))
    for ticket in tickets:
        opened = _at(ticket.created_at, programme)
        lines.append(_line(t(lang, "mydata.ticket", id=ticket.id, state=_state(lang, ticket.state), at=opened)))
        messages = session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket.id).order_by(TicketMessage.id)
        )
        for message in messages:
            who = t(lang, "mydata.you" if message.author == "attendee" else "mydata.helpdesk")
            file = (message.file or {}).get("name") or (message.file or {}).get("kind")
            extra = " " + t(lang, "mydata.file", name=file) if file else ""
            lines.append(_line(f"· {_at(message.created_at, programme)} {who}: {message.text}{extra}"))
    return lines


def _machinery(session: Session, user: User, programme: Programme, lang: str) -> list[Line]:
    lines: list[Line] = [()]
    feed = session.get(CalendarFeed, user.id)
    if feed is not None:
        lines.append(_line(t(lang, "mydata.feed", at=_at(feed.created_at, programme))))
    page = session.get(WebAgenda, user.id)
    if page is not None:
        lines.append(_line(t(lang, "mydata.web_page", at=_at(page.created_at, programme))))
    waits = session.scalars(
        select(PendingInput).where(
            PendingInput.platform == user.platform, PendingInput.user_id == user.platform_user_id
        )
    )
    for wait in waits:
        lines.append(_line(t(lang, "mydata.awaited", purpose=wait.purpose, until=_at(wait.expires_at, programme))))
    theirs = {"platform": user.platform, "user_id": user.platform_user_id}
    for window in session.scalars(select(PushWindow).filter_by(**theirs)):  # WeChat's messaging windows
        lines.append(_line(t(lang, "mydata.window", left=window.left, until=_at(window.closes_at, programme))))
    for grant in session.scalars(select(PushGrant).filter_by(**theirs)):  # WeChat's one-time subscriptions
        talk = grant.topic.removeprefix("talk:")
        what = _talk(programme, int(talk), lang) if talk.isdigit() else grant.topic
        lines.append(_line(t(lang, "mydata.grant", talk=what, at=_at(grant.granted_at, programme))))
    if session.get(ChatChoices, (user.platform, user.platform_user_id)) is not None:
        lines.append(_line(t(lang, "mydata.letters")))
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.status).where(OutboxMessage.recipient_id == user.id)
    )
    pushes = Counter((kind, status) for kind, status in rows)
    _section(lines, t(lang, "mydata.pushes", count=sum(pushes.values())))
    for (kind, status), count in sorted(pushes.items()):
        lines.append(_line(t(lang, "mydata.push", kind=kind, status=_state(lang, status), count=count)))
    mine = (AuditEntry.platform == user.platform, AuditEntry.user_id == user.platform_user_id)
    audited = session.scalar(select(func.count()).select_from(AuditEntry).where(*mine)) or 0
    _section(lines, t(lang, "mydata.audit", count=audited))
    entries = session.scalars(select(AuditEntry).where(*mine).order_by(AuditEntry.id.desc()).limit(MAX_AUDIT))
    for entry in entries:
        what = " ".join(part for part in (f"/{entry.action}", entry.detail, "→", entry.outcome) if part)
        lines.append(_line(f"{_at(entry.at, programme)} {what}"))
    account = account_of(user)
    organizer = {
        "broadcasts": _count(session, Broadcast.created_by == account),
        "overrides": _count(session, ScheduleOverride.set_by == account),
        "previews": _count(session, Confirmation.created_by == account),
    }
    if any(organizer.values()):
        lines += [(), _line(t(lang, "mydata.organizer", **organizer))]
    return lines


def _count(session: Session, condition: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).where(condition)) or 0


def report(session: Session, user: User, programme: Programme, settings: Settings, lang: str) -> list[Line]:
    """Every line of ``/mydata`` (the command pages them), in ``lang``."""
    lines = _account(user, programme, lang)
    lines += _activity(session, user, programme, lang)
    lines += _tickets(session, user, programme, lang)
    lines += _machinery(session, user, programme, lang)
    sent, audit = _kept(lang, settings.retain_sent_days), _kept(lang, settings.retain_audit_days)
    return [*lines, (), _line(t(lang, "mydata.footer", sent=sent, audit=audit))]
