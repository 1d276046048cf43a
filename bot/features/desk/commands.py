"""``/desk``: an organizer's one-time sign-in link to the organizer desk (only in a private chat)."""

from __future__ import annotations

from bot.chat.messages import Reply, ReplyBuilder, italic, link
from bot.chat.registry import Context, command
from bot.features.desk import signin


@command("desk", help_key="help.desk", organizer_only=True, order=80)
def desk(ctx: Context) -> Reply:
    """A link, usable once within ten minutes, that signs the organizer in to the desk in a browser."""
    public_url = ctx.settings.public_url
    if not (ctx.settings.web and public_url):
        return ReplyBuilder().line(italic(ctx.t("me.off"))).build()
    if ctx.request.is_group:
        return ReplyBuilder().line(ctx.t("desk.private")).build()
    url = signin.link_url(public_url, signin.issue_link(ctx.session, ctx.request.address, ctx.now))
    minutes = int(signin.LINK_TTL.total_seconds() // 60)
    return ReplyBuilder().line(ctx.t("desk.link", minutes=minutes), link(url, url)).build()
