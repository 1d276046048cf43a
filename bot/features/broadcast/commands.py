"""/broadcast: an announcement to everyone, a talk's subscribers, one platform or one language.

``/broadcast [audience] <text>`` previews the message exactly as attendees will see it, with the
audience's size per platform and Confirm / Cancel; Confirm queues one outbox row per recipient.
``/broadcast status`` shows the latest broadcasts' sent / pending / failed / blocked counts.
"""

from __future__ import annotations

from bot.chat.confirm import on_confirm, preview
from bot.chat.messages import Line, Reply, ReplyBuilder, Span, bold, code
from bot.chat.registry import Context, UsageError, command
from bot.features.broadcast import push as broadcasts
from bot.programme.timefmt import format_time

STATUS_SHOWN = 5


RULE = "―" * 12


def _split(ctx: Context) -> tuple[broadcasts.Audience, str]:
    """The audience (the first word, if it is one) and the text; UsageError if either is bad."""
    words = ctx.args.split(None, 1)
    if not words:
        raise UsageError("broadcast.usage")
    audience, text = broadcasts.EVERYONE, ctx.args
    if broadcasts.looks_like_audience(words[0]):
        parsed = broadcasts.parse_audience(words[0])
        if parsed is None:
            raise UsageError("broadcast.usage")
        audience, text = parsed, words[1] if len(words) > 1 else ""
    if not text.strip():
        raise UsageError("broadcast.usage")
    if audience.kind == "talk" and ctx.programme.talk(int(audience.value)) is None:
        raise UsageError("broadcast.no_talk", id=audience.value)
    return audience, text.strip()


@command("broadcast", help_key="help.broadcast", usage="[audience] <text>", organizer_only=True, order=90)
def broadcast(ctx: Context) -> Reply:
    """Preview a broadcast (Confirm queues it), or show the latest ones with ``status``."""
    if ctx.args.strip().lower() == "status":
        return _status(ctx)
    audience, text = _split(ctx)
    length = broadcasts.too_long(text)
    if length is not None:
        raise UsageError("broadcast.too_long", length=length, limit=broadcasts.MAX_CHARS)
    per_platform = broadcasts.sizes(ctx.session, audience)
    total = sum(per_platform.values())
    if not total:
        raise UsageError("broadcast.nobody", audience=audience.label)
    lines: list[Line] = [
        (bold(ctx.t("broadcast.preview", audience=audience.label, total=total)),),
        (Span(" · ".join(f"{platform}: {n}" for platform, n in per_platform.items())),),
        (),
        (Span(ctx.t("broadcast.as_seen")),),
        (Span(RULE),),
        *broadcasts.message(text).lines,
        (Span(RULE),),
    ]
    return preview(ctx, "broadcast", {"audience": audience.label, "text": text}, lines)


@on_confirm("broadcast")
def queue(ctx: Context, payload: dict[str, object]) -> Reply:
    """Confirm: record the broadcast and queue its rows (one statement), in this request's transaction."""
    audience = broadcasts.parse_audience(str(payload.get("audience", "all"))) or broadcasts.EVERYONE
    who = ctx.request.address
    sent = broadcasts.start(
        ctx.session,
        audience=audience,
        text=str(payload.get("text", "")),
        created_by=f"{who.platform}:{who.user_id}",
        now=ctx.now,
    )
    ctx.outcome = f"confirmed broadcast #{sent.id}"
    reply = ReplyBuilder().line(ctx.t("broadcast.queued", id=sent.id, count=sent.recipients))
    return reply.build(edit=ctx.from_button)


def _status(ctx: Context) -> Reply:
    """The latest broadcasts with their counts, newest first."""
    shown = broadcasts.latest(ctx.session, STATUS_SHOWN)
    b = ReplyBuilder().line(bold(ctx.t("broadcast.status_title")))
    if not shown:
        return b.line(ctx.t("broadcast.status_empty")).build()
    tz = ctx.programme.tz
    for p in shown:
        cast = p.broadcast
        when = f"{cast.created_at.astimezone(tz):%m-%d} {format_time(cast.created_at, tz)}"
        state = ctx.t("broadcast.state_done" if cast.status == broadcasts.DONE else "broadcast.state_sending")
        plain = broadcasts.message(cast.text).plain_text  # as attendees read it, without the markup
        first = plain.splitlines()[0] if plain else ""
        preview_text = first[:40] + ("…" if len(first) > 40 or "\n" in plain else "")
        b.line(bold(f"#{cast.id}"), f" · {when} · ", code(cast.audience), f" · {state}")
        b.line(ctx.t("broadcast.status_counts", sent=p.sent, pending=p.pending, failed=p.failed, blocked=p.blocked))
        b.line(f"“{preview_text}”")
    return b.build()
