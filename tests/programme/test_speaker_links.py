"""CONFBOT_SPEAKERS links speakers to their chat accounts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.chat.messages import Address
from bot.programme.content.programme import Programme
from bot.programme.speaker_links import SpeakerLinks
from bot.settings import Settings

CHEN_TG = Address("telegram", "123", "123")


def test_a_speaker_with_two_accounts_speaks_at_their_own_talks_only(
    monkeypatch: pytest.MonkeyPatch, programme: Programme
) -> None:
    monkeypatch.setenv("CONFBOT_SPEAKERS", "chenlijun=telegram:123, chenlijun=slack:U0CHEN,alice=slack:U0AL")
    links = SpeakerLinks.parse(Settings(_env_file=None).speakers)  # type: ignore[call-arg]
    talk1, talk2 = programme.talk(1), programme.talk(2)
    assert talk1 is not None and talk2 is not None
    assert links.speaks_at(CHEN_TG, talk1) and links.speaks_at(Address("slack", "U0CHEN", "D1"), talk1)
    assert not links.speaks_at(CHEN_TG, talk2)
    assert not links.speaks_at(Address("slack", "123", "123"), talk1)  # the same id on another platform is nobody
    assert links.speakers_of(Address("slack", "U0AL", "D2")) == {"alice"}
    assert ("chenlijun", "slack", "U0CHEN") in links.accounts()


@pytest.mark.parametrize("bad", ["chenlijun", "chenlijun=123", "=telegram:1", "Chen Lijun=telegram:1"])
def test_a_malformed_entry_is_refused_at_start_with_its_text(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("CONFBOT_SPEAKERS", f"alice=slack:U1,{bad}")
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "speaker_id=platform:user_id" in str(err.value) and bad in str(err.value)


def test_nobody_is_linked_by_default(monkeypatch: pytest.MonkeyPatch, programme: Programme) -> None:
    monkeypatch.delenv("CONFBOT_SPEAKERS", raising=False)
    links = SpeakerLinks.parse(Settings(_env_file=None).speakers)  # type: ignore[call-arg]
    talk = programme.talk(1)
    assert talk is not None and not links.speaks_at(CHEN_TG, talk) and links.accounts() == []
