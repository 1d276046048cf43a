""" "The recording is up": when a talk gains a recording or slides, one notice to each of its
subscribers and raters.

A step of applying a programme (:func:`bot.features.schedule.changes.on_applied`): a content reload,
/reload, the live schedule sync, and the start-up. A talk *gains* a link it has never shown before:
which links each talk has shown is kept with its announced schedule (``talk_snapshots.links``), so a
link added to the files while the bot was down is announced when it starts, a link taken down and put
back is not news, and one added while the talk is cancelled is announced when the talk is back on
(where nothing is kept yet, as after an upgrade, the programme shown until now stands in). The key
``media:<talk>:recording`` (or ``:slides``) makes the notice once per person for good: another replica
applying the same change sends nothing more. A talk that gains both at once gets one notice (under
the recording's key) naming both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from bot.chat.messages import Button, Reply, ReplyBuilder, bold, link
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.features.schedule.changes import on_applied
from bot.host import Host
from bot.i18n import t
from bot.programme.cards import title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.models import Rating, Subscription, TalkSnapshot, User

KIND = "media"
WHAT = ("recording", "slides")  # in the order a notice names them


def key_for(talk_id: int, what: str) -> str:
    """The notice's idempotency key: one per person, talk and kind of link, for good."""
    return f"media:{talk_id}:{what}"


def audience(talk_id: int) -> Select[int]:
    """The talk's subscribers and everyone who rated it, each once, active only."""
    fans = select(Subscription.user_id).where(Subscription.talk_id == talk_id)
    raters = select(Rating.user_id).where(Rating.talk_id == talk_id)
    return select(User.id).where(User.active.is_(True), or_(User.id.in_(fans), User.id.in_(raters))).order_by(User.id)


def links_of(talk: Talk) -> list[str]:
    """The links the talk has, of :data:`WHAT`, in that order."""
    return [what for what in WHAT if getattr(talk, what)]


def _shown(host: Host, talk: Talk, snapshot: TalkSnapshot | None) -> list[str] | None:
    """The links the talk has shown so far; None for a talk not shown before (nothing to gain)."""
    if snapshot is not None and snapshot.links is not None:
        return snapshot.links.split()
    before = host.programme.talk(talk.id)  # none kept yet: the programme shown until now
    return None if before is None else links_of(before)


@on_applied("media")
def notify_gained(session: Session, host: Host, new: Programme, now: datetime) -> int:
    """Queue "the recording is up" for each talk that gained a recording or slides, and keep which
    links each talk has shown; the rows queued. A cancelled talk gains nothing while cancelled: a
    link added meanwhile is announced when it is back on."""
    snapshots = {s.talk_id: s for s in session.scalars(select(TalkSnapshot))}  # the schedule step's rows
    queued = 0
    for talk in new.talks:
        snapshot = snapshots.get(talk.id)
        shown, has = _shown(host, talk, snapshot), links_of(talk)
        kept = shown if talk.cancelled and shown is not None else [w for w in WHAT if w in (shown or []) or w in has]
        if snapshot is not None and snapshot.links != " ".join(kept):
            snapshot.links = " ".join(kept)  # shown once, for good: taken down and put back is not new
        if shown is None or talk.cancelled:
            continue
        links = [what for what in has if what not in shown]
        if not links:
            continue
        payload: dict[str, Any] = {"talk": talk.id, "gained": links, **{what: getattr(talk, what) for what in links}}
        queued += outbox.enqueue_many(
            session, audience(talk.id), kind=KIND, key=key_for(talk.id, links[0]), due_at=now, payload=payload, now=now
        )
    return queued


@renderer(KIND)
def render(push: PushContext) -> Reply | None:
    """ "The recording of this talk is up", the talk, and the links (as the programme has them now)."""
    talk, lang, payload = push.talk(), push.lang, push.payload
    if talk is None:
        return None
    links = [what for what in WHAT if what in payload.get("gained", [])]
    urls: dict[str, str] = {}
    for what in links:
        url = getattr(talk, what) or payload.get(what)
        if isinstance(url, str) and url:
            urls[what] = url
    shown = list(urls)
    if not shown:
        return None
    head = "media.notice.both" if len(shown) == 2 else f"media.notice.{shown[0]}"
    b = ReplyBuilder().line(t(lang, head)).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    for what in shown:
        b.line(link(t(lang, f"media.{what}"), urls[what]))
    return b.build(buttons=((Button(t(lang, "button.open_talk"), f"talk {talk.id}"),),))
