"""The ``confbot`` command line (typer)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import build_core, plan_at_configured_rates
from adapters.cli.content import app as content_app
from adapters.cli.content import content_errors_exit
from adapters.cli.db import app as db_app
from adapters.cli.feedback import app as feedback_app
from adapters.cli.helpdesk import app as helpdesk_app
from adapters.logs import configure as configure_logging
from adapters.redact import secrets_of
from bot.settings import Settings

app = typer.Typer(
    help="confbot: a conference chatbot for Telegram, Slack and the terminal.",
    no_args_is_help=False,
    add_completion=False,
    # plain click help: typer's rich help shows a stray "<bool>" type beside --help and every flag
    rich_markup_mode=None,
)
app.add_typer(content_app, name="content", help="Validate, import, export and reload content.")
app.add_typer(feedback_app, name="feedback", help="Export talk ratings and comments.")
app.add_typer(helpdesk_app, name="helpdesk", help="List the open helpdesk tickets.")
app.add_typer(db_app, name="db", help="Migrate the database schema, or check that it is at head.")


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """With no command: run the configured platforms, or chat in the terminal if none is set."""
    settings = Settings()
    # once, for every command (run, chat, content): text or JSON lines; tokens and passwords never shown
    configure_logging(settings.log_format, secrets_of(settings))
    if ctx.invoked_subcommand is not None:
        return
    from adapters.runner import configured_platforms

    if configured_platforms(Settings()):
        run()
    else:
        chat(stay=False)


@app.command()
def chat(
    stay: Annotated[bool, typer.Option(help="Keep running after the input ends (watch reminders).")] = False,
) -> None:
    """Chat with the bot in this terminal (SQLite and the bundled conference by default)."""
    from adapters.console import console_address, main_chat

    settings = Settings()
    core = build_core(settings)
    core.add_organizer(console_address())  # whoever holds the terminal runs the event
    main_chat(core, stay=stay)


@app.command()
def run() -> None:
    """Serve every configured platform (Telegram, Slack) plus the reminder scheduler."""
    from adapters.runner import preflight, serve
    from adapters.workers import WorkerSide, supervise, worker_count

    logging.getLogger().setLevel(logging.INFO)
    settings = Settings()
    problem = preflight(settings)  # before the database is created or migrated
    if problem is not None:
        sys.stderr.write(problem)
        raise typer.Exit(2)
    worker = WorkerSide.from_env()  # started by a supervisor, or the supervisor itself when more than one
    if worker is None and (count := worker_count(settings)) > 1:
        raise typer.Exit(supervise(settings, count))
    if worker is not None:  # Ctrl-C reaches the whole group: the supervisor's SIGTERM stops a worker
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    core = build_core(settings)
    _ = core.search  # built now, not on the first search
    with _event_loop_runner() as runner:
        # the programme, its index, the libraries' tables and every module the adapters import live
        # as long as the process: frozen, no full garbage collection walks them (a 30-73 ms pause)
        code = runner.run(serve(settings, core, built=_freeze_heap, worker=worker))
    raise typer.Exit(code)


def _freeze_heap() -> None:
    """Collect what start-up left behind, then keep everything alive now out of future collections."""
    gc.collect()
    gc.freeze()


def _event_loop_runner() -> asyncio.Runner:
    """uvloop's event loop where it installs (Linux, macOS): it halves the loop's own CPU per update
    (docs/benchmarks.md); asyncio's own elsewhere."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


@content_app.command("reload")
def reload_content(
    path: Annotated[Path | None, typer.Argument(help="Content directory or file (default: CONFBOT_CONTENT).")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Apply even if it cancels or removes more than a quarter of the talks, or adds schedule conflicts.",
        ),
    ] = False,
) -> None:
    """Apply edited content: re-time reminders and notify subscribers of moved or cancelled talks."""
    from bot.features.schedule.changes import ReloadRefused, reload_from_path

    settings = Settings()
    if settings.schedule_url and path is None:  # the files would replace the published schedule
        typer.echo(
            f"Refused: the schedule is synced from CONFBOT_SCHEDULE_URL ({settings.schedule_url}); "
            f"run `confbot content sync {settings.schedule_url}` to sync now.",
            err=True,
        )
        raise typer.Exit(1)
    core = build_core(settings)
    plan_at_configured_rates(core, settings)  # moved talks are re-planned at the platforms' rates
    with content_errors_exit():
        try:
            report = reload_from_path(core, path or settings.content, force=force)
        except ReloadRefused as err:
            typer.echo(f"Refused: {err}", err=True)
            raise typer.Exit(1) from None
    typer.echo(str(report))


@content_app.command("sync")
def sync_content(
    url: Annotated[
        str | None, typer.Argument(help="schedule.json or schedule.xml URL (default: CONFBOT_SCHEDULE_URL).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Apply even if it cancels more than a quarter of the talks or adds conflicts."),
    ] = False,
) -> None:
    """Fetch a published schedule once and apply it like a reload: subscribers hear what moved, once."""
    from bot.features.schedule.sync import APPLIED, ScheduleSync

    settings = Settings()
    target = url or settings.schedule_url
    if not target:
        typer.echo("Give the schedule's URL, or set CONFBOT_SCHEDULE_URL.", err=True)
        raise typer.Exit(2)
    core = build_core(settings)
    plan_at_configured_rates(core, settings)
    sync = ScheduleSync(core, target)
    sync.restore()  # from the last good copy, so a removed talk's notice can still name it
    result = asyncio.run(sync.poll(force=force))
    if result.outcome == APPLIED:
        typer.echo(f"Synced {target}: {result.report}")
    elif result.error is None:
        typer.echo(f"Unchanged: {target} is the schedule already applied.")
    else:
        typer.echo(f"Not applied, the previous programme is kept: {result.error}", err=True)
        raise typer.Exit(1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every talk and broadcast) for scripts.")] = False,
    lang: Annotated[str, typer.Option(help="Language of the text report: zh or en.")] = "en",
) -> None:
    """Users per platform and language, subscriptions per talk with rooms, reminders, broadcasts."""
    from bot.features.organizer.commands import stats_lines
    from bot.features.organizer.stats import gather

    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    core = build_core(Settings())
    try:
        report = gather(core)
    finally:
        core.close()
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    lines = stats_lines(report, lang, core.programme.tz, top_talks=None, top_broadcasts=None)
    typer.echo("\n".join("".join(span.text for span in line) for line in lines))


@app.command()
def broadcast(
    text: Annotated[
        str, typer.Option("--text", help="The announcement: *bold*, _italic_, [text](https://url), line breaks.")
    ],
    audience: Annotated[
        str, typer.Option(help="all (default), talk:12, platform:telegram, platform:slack or lang:en.")
    ] = "all",
    yes: Annotated[bool, typer.Option("--yes", help="Queue it; without --yes only the preview is shown.")] = False,
    lang: Annotated[str, typer.Option(help="Language of this command's output: zh or en.")] = "en",
) -> None:
    """Preview a broadcast and its audience size; with --yes, queue it for the running bot to send."""
    from adapters.console import console_address
    from bot.chat.messages import Request

    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    core = build_core(Settings())
    who = console_address()
    core.add_organizer(who)  # whoever holds the shell runs the event; audited as console:<user>
    try:
        (shown,) = core.handle(Request(who, text=f"/broadcast {audience} {text}", locale=lang))
        confirm = [b.action for row in shown.buttons for b in row if b.action.startswith("confirm ")]
        typer.echo(shown.plain_text)
        if not confirm:  # refused: bad audience, too long, nobody to send to
            raise typer.Exit(1)
        if not yes:
            typer.echo("\nNot queued. Run again with --yes to queue it.")
            return
        (queued,) = core.handle(Request(who, text="", action=confirm[0], locale=lang))
        typer.echo("\n" + queued.plain_text)
        typer.echo("The running bot (confbot run) sends it at the platforms' rate limits; this command sends nothing.")
    finally:
        core.close()


def main() -> None:
    """Console-script entry point. An unexpected error is logged, so its traceback is redacted too."""
    from pydantic import ValidationError

    try:
        app(prog_name="confbot")
    except ValidationError as err:  # a setting that does not parse: name it, no traceback
        for problem in err.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "?"
            name = field if field.isupper() else f"CONFBOT_{field.upper()}"  # TELEGRAM_… names are aliases
            sys.stderr.write(f"invalid setting {name}: {problem['msg']}\n")
        raise SystemExit(2) from None
    except Exception:
        logging.getLogger("confbot").critical("confbot stopped by an unexpected error", exc_info=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
