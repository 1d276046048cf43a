"""The programme's version, which open pages poll: it changes with anything the pages show."""

from __future__ import annotations

from bot.features.browse.board import version
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT


def _programme(**talk_changes: object) -> Programme:
    content = load_content_file(BUNDLED_CONTENT)
    talks = [t.model_copy(update=talk_changes) if t.id == 5 else t for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


def test_the_same_programme_has_the_same_version_and_each_change_a_new_one() -> None:
    assert version(_programme()) == version(_programme())
    changed = {
        version(_programme(cancelled=True)),
        version(_programme(speakers=["chenlijun"])),
        version(_programme(abstract="新的摘要")),
        version(_programme(room="B")),
    }
    assert len(changed) == 4 and version(_programme()) not in changed
