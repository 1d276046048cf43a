"""Rating prompts after each talk, and the speakers' digest when the event ends: planned as outbox rows.

- **Prompts.** ``CONFBOT_FEEDBACK_DELAY_MINUTES`` after a talk ends (5 by default; 0 turns them
  off) each active subscriber gets one "How was #12 …?" with star buttons. :func:`plan` runs every
  minute on every replica, one INSERT … SELECT per talk in its window; the row's key
  ``feedback:<talk>`` is unique per recipient, so a restart, a second replica or a later move of
  the talk never sends a second prompt. A cancelled talk gets none (not planned, and a planned one
  is dropped at send time). A prompt not sent within :data:`WINDOW` of its due time is recorded as
  missed rather than sent hours late.
- **Digest.** Once the last item of the programme has ended and the last rating prompts have had
  time to be answered (end + ``CONFBOT_FEEDBACK_DELAY_MINUTES`` + :data:`DIGEST_GRACE`, one hour),
  each linked speaker (``CONFBOT_SPEAKERS``) account that has used the bot gets their talks' ratings
  and anonymized comments, once (key ``speaker_digest:<speaker>``, unique per recipient, so restarts
  and replicas queue it once), within :data:`DIGEST_WINDOW` of that time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import users
from bot.chat.messages import Button, Reply, ReplyBuilder, bold
from bot.delivery import outbox
from bot.delivery.jobs import every
from bot.delivery.renderers import PushContext, renderer
from bot.features.feedback import ratings as feedback
from bot.host import Host
from bot.i18n import t
from bot.programme.cards import title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.speaker_links import SpeakerLinks
from bot.storage.models import OutboxMessage, Subscription, User

KIND = "feedback"
DIGEST = "speaker_digest"
WINDOW = timedelta(hours=3)
DIGEST_WINDOW = timedelta(days=3)
DIGEST_GRACE = timedelta(hours=1)  # after the last prompts go out, for their ratings to come in
DIGEST_COMMENT_CHARS = 2500  # the digest stays one message on every platform
STAR = "★"


def key_for(talk_id: int) -> str:
    """One prompt per talk per person, ever."""
    return f"{KIND}:{talk_id}"


def stars_text(n: int) -> str:
    """``★★★★☆`` for 4."""
    return STAR * n + "☆" * (len(feedback.STARS) - n)


def star_buttons(talk_id: int, chosen: int | None) -> tuple[Button, ...]:
    """One row of 1–5 star buttons (``rate <id> <n>``), the chosen one marked."""
    return tuple(Button(f"{n}{STAR}", f"rate {talk_id} {n}", selected=n == chosen) for n in feedback.STARS)


def prompt_reply(
    talk: Talk, lang: str, *, chosen: int | None = None, asking: bool = False, edit: bool = False
) -> Reply:
    """The rating card: the question, the stars, and after a star either the comment ask (with Skip) or thanks."""
    b = ReplyBuilder().line(t(lang, "rate.question")).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    rows: list[tuple[Button, ...]] = [star_buttons(talk.id, chosen)]
    if chosen is None:
        b.line(t(lang, "rate.pick"))
    else:
        b.line(t(lang, "rate.chosen", stars=stars_text(chosen), n=chosen))
        if asking:
            b.line(t(lang, "rate.ask_comment"))
            rows.append((Button(t(lang, "rate.skip"), f"skip comment {talk.id}"),))
        else:
            b.line(t(lang, "rate.thanks"))
    return b.build(buttons=tuple(rows), edit=edit)


@renderer(KIND)
def render_prompt(push: PushContext) -> Reply | None:
    """The prompt at send time; None (dropped) if the talk is gone or was cancelled meanwhile."""
    talk = push.talk()
    if talk is None or talk.cancelled:
        return None
    return prompt_reply(talk, push.lang)


def plan(session: Session, programme: Programme, *, now: datetime, delay_minutes: int) -> int:
    """Queue the prompts that are due (talk end + delay ≤ now, within :data:`WINDOW`); how many new."""
    if delay_minutes <= 0:
        return 0
    delay = timedelta(minutes=delay_minutes)
    queued = 0
    for talk in programme.talks:
        if talk.end is None or talk.cancelled:
            continue
        due = talk.end + delay
        if not due <= now < due + WINDOW:
            continue
        subscribers = (
            select(User.id)
            .join(Subscription, Subscription.user_id == User.id)
            .where(Subscription.talk_id == talk.id, User.kind == feedback.PERSON, User.active.is_(True))
        )
        queued += outbox.enqueue_many(
            session,
            subscribers,
            kind=KIND,
            key=key_for(talk.id),
            due_at=due,
            payload={"talk": talk.id},
            expires_at=due + WINDOW,
            now=now,
        )
    return queued


def programme_end(programme: Programme) -> datetime | None:
    """When the last talk or break that really happens ends (cancelled talks left out)."""
    ends = [t.end for t in programme.talks if t.start is not None and t.end is not None and not t.cancelled]
    ends += [b.end for b in programme.breaks if b.start is not None and b.end is not None]
    return max(ends) if ends else None


def digest_due(programme: Programme, delay_minutes: int) -> datetime | None:
    """When the digests go out: the end, plus the prompts' delay, plus :data:`DIGEST_GRACE` for answers."""
    end = programme_end(programme)
    return None if end is None else end + timedelta(minutes=max(0, delay_minutes)) + DIGEST_GRACE


def plan_digests(
    session: Session, programme: Programme, links: SpeakerLinks, *, now: datetime, delay_minutes: int = 0
) -> int:
    """Once the programme is over and rated: each linked speaker account that knows the bot gets its digest, once."""
    due = digest_due(programme, delay_minutes)
    if due is None or not due <= now < due + DIGEST_WINDOW:
        return 0
    queued = 0
    for speaker_id, platform, user_id in links.accounts():
        talks = [talk.id for talk in programme.talks_of(speaker_id) if not talk.cancelled]
        user = users.find(session, platform, user_id)
        if not talks or user is None or not user.active:
            continue
        key = f"{DIGEST}:{speaker_id}"
        exists = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.recipient_id == user.id, OutboxMessage.key == key)
        )
        if exists is not None:
            continue
        payload = {"speaker": speaker_id, "talks": feedback.digest(session, talks)}
        queued += outbox.enqueue(
            session, recipient_id=user.id, kind=DIGEST, key=key, due_at=now, payload=payload, now=now
        )
    return queued


@renderer(DIGEST)
def render_digest(push: PushContext) -> Reply:
    """The speaker's digest: per talk the count, mean and distribution, then the comments (no names)."""
    lang = push.lang
    b = ReplyBuilder().line(bold(t(lang, "digest.title")))
    budget = DIGEST_COMMENT_CHARS
    for entry in push.payload.get("talks", []):
        talk = push.programme.talk(int(entry["talk"]))
        title = title_of(talk, lang) if talk else ""
        dist = [max(0, int(n)) for n in entry.get("distribution", [])][: len(feedback.STARS)]
        dist += [0] * (len(feedback.STARS) - len(dist))  # a short or stale payload still renders
        count = sum(dist)
        b.blank().line(bold(f"#{entry['talk']} {title}".rstrip()))
        if not count:
            b.line(t(lang, "digest.none"))
            continue
        mean = sum(n * stars for n, stars in zip(dist, feedback.STARS, strict=False)) / count
        b.line(t(lang, "digest.talk", count=count, mean=f"{mean:.2f}"))
        for stars in reversed(feedback.STARS):
            b.line(f"{stars_text(stars)}  {dist[stars - 1]}")
        comments = [str(c) for c in entry.get("comments", [])]
        if comments:
            b.line(t(lang, "digest.comments"))
        for shown, comment in enumerate(comments):
            if len(comment) > budget:
                b.line(t(lang, "digest.more", count=len(comments) - shown))
                break
            budget -= len(comment)
            b.line(f"– {' '.join(comment.split())}")
    return b.blank().line(t(lang, "digest.thanks")).build()


FEEDBACK_SECONDS = 60.0  # rating prompts and the speakers' digest are queued within a minute of being due


@every(FEEDBACK_SECONDS, name="confbot.feedback", first_now=True)
def plan_due(host: Host) -> int:
    """Queue the rating prompts and speakers' digests now due (the minute job); how many new rows."""
    with host.db.session() as session:
        now = host.clock.now()
        delay = host.settings.feedback_delay_minutes
        queued = plan(session, host.programme, now=now, delay_minutes=delay)
        return queued + plan_digests(session, host.programme, host.speaker_links, now=now, delay_minutes=delay)
