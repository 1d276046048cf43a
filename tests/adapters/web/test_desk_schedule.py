"""The desk's schedule page over HTTP: /move, /cancel, their undo and /reload from forms, with the chat's
own previews, clash refusals and ``force``; the overrides listed; a session and its CSRF token needed."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.core import Core
from tests.adapters.web.conftest import ORGANIZER, desk_core, form_token, site
from tests.adapters.web.test_desk import desk_link, sign_in
from tests.helpers import ask

LATER = 5  # on the second day, 10:40 in the main hall
PAGE = "/desk/schedule"


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return desk_core(tmp_path)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    async with site(core, {"accept-language": "en"}) as client:
        yield client


@pytest.fixture
async def csrf(client: httpx.AsyncClient, core: Core) -> str:
    """Signed in; the session's CSRF token, read from the page's forms."""
    await sign_in(client, desk_link(core))
    page = await client.get(PAGE)
    assert page.status_code == 200
    return form_token(page)


def text_of(page: httpx.Response) -> str:
    """What a reader sees of a page: its text without tags."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text))


def result_of(page: httpx.Response) -> str:
    found = re.search(r'data-testid="schedule-result".*?</section>', page.text, re.S)
    assert found, "no answer shown"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(0).split(">", 1)[1]))


def confirm_action(page: httpx.Response) -> str:
    found = re.search(r'name="action" value="(confirm [^"]+)"', page.text)
    assert found
    return found.group(1)


def shows_the_chats_answer(page: httpx.Response, chat: str) -> None:
    shown = result_of(page)
    for line in filter(None, chat.splitlines()):
        assert line in shown


async def test_the_page_needs_a_desk_session(client: httpx.AsyncClient, core: Core) -> None:
    assert (await client.get(PAGE)).status_code == 403
    refused = await client.post(PAGE, data={"do": "move", "talk": "5", "time": "16:30"})
    assert refused.status_code == 403 and "/desk" in refused.text


async def test_a_move_previews_as_the_chat_does_and_confirm_moves_it(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    chat = ask(core, f"/move {LATER} 16:30", who=ORGANIZER, locale="en").plain_text
    preview = await client.post(PAGE, data={"csrf": csrf, "do": "move", "talk": str(LATER), "time": "16:30"})
    assert preview.status_code == 200
    shows_the_chats_answer(preview, chat)
    assert 'data-testid="schedule-confirm"' in preview.text and 'data-testid="schedule-drop"' in preview.text
    talk = core.programme.talk(LATER)
    assert talk is not None and talk.start is not None and f"{talk.start:%H:%M}" == "10:40"  # nothing yet

    done = await client.post(PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(preview)})
    assert "moved" in result_of(done).lower()
    talk = core.programme.talk(LATER)
    assert talk is not None and talk.start is not None and f"{talk.start:%H:%M}" == "16:30"
    row = re.search(rf'data-testid="override-{LATER}".*?</tr>', done.text, re.S)
    assert row and "16:30" in row.group(0) and "console:organizer" in row.group(0)
    assert f'data-testid="undo-move-{LATER}"' in row.group(0)


async def test_a_clash_is_refused_as_in_the_chat_unless_forced(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    chat = ask(core, f"/move {LATER} 10:00", who=ORGANIZER, locale="en").plain_text
    refused = await client.post(PAGE, data={"csrf": csrf, "do": "move", "talk": str(LATER), "time": "10:00"})
    shows_the_chats_answer(refused, chat)
    assert "#28" in result_of(refused) and 'data-testid="schedule-confirm"' not in refused.text
    data = {"csrf": csrf, "do": "move", "talk": str(LATER), "time": "10:00", "force": "1"}
    forced = await client.post(PAGE, data=data)
    assert "force" in result_of(forced) and 'data-testid="schedule-confirm"' in forced.text


async def test_a_move_to_another_day_and_room(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    data = {"csrf": csrf, "do": "move", "talk": str(LATER), "day": "2026-12-12", "time": "17:50", "room": "B"}
    preview = await client.post(PAGE, data=data)
    chat = ask(core, f"/move {LATER} 2026-12-12 17:50 B", who=ORGANIZER, locale="en").plain_text
    shows_the_chats_answer(preview, chat)


async def test_cancel_then_undo_from_the_overrides_list(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    preview = await client.post(PAGE, data={"csrf": csrf, "do": "cancel", "talk": str(LATER)})
    shows_the_chats_answer(preview, ask(core, f"/cancel {LATER}", who=ORGANIZER, locale="en").plain_text)
    done = await client.post(PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(preview)})
    assert f'data-testid="undo-cancel-{LATER}"' in done.text
    talk = core.programme.talk(LATER)
    assert talk is not None and talk.cancelled

    undo = await client.post(PAGE, data={"csrf": csrf, "do": "undo", "part": "cancel", "talk": str(LATER)})
    back = await client.post(PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(undo)})
    talk = core.programme.talk(LATER)
    assert talk is not None and not talk.cancelled
    assert f'data-testid="override-{LATER}"' not in back.text and "No talk has been moved" in back.text


async def test_drop_leaves_the_talk_alone(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    preview = await client.post(PAGE, data={"csrf": csrf, "do": "cancel", "talk": str(LATER)})
    drop = confirm_action(preview).replace("confirm", "drop")
    await client.post(PAGE, data={"csrf": csrf, "do": "answer", "action": drop})
    again = await client.post(PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(preview)})
    talk = core.programme.talk(LATER)
    assert talk is not None and not talk.cancelled and 'data-testid="schedule-result"' in again.text


async def test_reload_answers_as_the_chat_does(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    shown = await client.post(PAGE, data={"csrf": csrf, "do": "reload"})
    assert "Content reloaded" in result_of(shown)


async def test_a_post_without_the_sessions_token_changes_nothing(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    preview = await client.post(PAGE, data={"csrf": csrf, "do": "cancel", "talk": str(LATER)})
    action = confirm_action(preview)
    for token in ("", "forged"):
        refused = await client.post(PAGE, data={"csrf": token, "do": "answer", "action": action})
        assert refused.status_code == 403
    talk = core.programme.talk(LATER)
    assert talk is not None and not talk.cancelled
    assert "No talk has been moved" in text_of(await client.get(PAGE))


async def test_an_unknown_form_runs_nothing(client: httpx.AsyncClient, csrf: str) -> None:
    for data in ({"do": "answer", "action": "broadcast hi"}, {"do": "undo", "part": "stats", "talk": "5"}):
        refused = await client.post(PAGE, data={"csrf": csrf, **data})
        assert refused.status_code == 400


async def test_an_undo_that_would_clash_is_refused_unless_forced(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    move = {"csrf": csrf, "do": "move", "talk": "28", "time": "16:30"}  # #28 leaves 10:00 in the main hall
    await client.post(
        PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(await client.post(PAGE, data=move))}
    )
    into = {"csrf": csrf, "do": "move", "talk": str(LATER), "time": "10:00"}  # and #5 takes its place
    await client.post(
        PAGE, data={"csrf": csrf, "do": "answer", "action": confirm_action(await client.post(PAGE, data=into))}
    )
    undo = {"csrf": csrf, "do": "undo", "part": "move", "talk": "28"}
    chat = ask(core, "/move 28 undo", who=ORGANIZER, locale="en").plain_text
    refused = await client.post(PAGE, data=undo)
    shows_the_chats_answer(refused, chat)
    assert "#5" in result_of(refused) and 'data-testid="schedule-confirm"' not in refused.text
    assert 'data-testid="undo-force-move-28"' in refused.text
    forced = await client.post(PAGE, data={**undo, "force": "1"})
    assert 'data-testid="schedule-confirm"' in forced.text
