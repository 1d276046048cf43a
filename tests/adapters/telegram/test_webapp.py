"""Mini App initData: what Telegram signed is accepted and names its user; anything else is refused, saying why."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest

from adapters.telegram.webapp import MAX_AGE, InitDataError, MiniAppUser, verify_init_data

TOKEN = "123456:TEST-token"
NOW = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the first morning
USER = {
    "id": 279058397,
    "first_name": "Vladislav",
    "last_name": "Kibenko",
    "username": "vdkfrost",
    "language_code": "ru",
}


def signed(token: str = TOKEN, at: datetime = NOW, user: object = USER, **extra: str) -> str:
    """An initData as the Telegram client hands it over: fields URL-encoded, ``hash`` last.

    Written from Telegram's description, not from the module under test: the key is
    HMAC_SHA256("WebAppData", token), the message is the sorted ``key=value`` lines of every field.
    """
    fields = {"auth_date": str(int(at.timestamp())), "query_id": "AAHdF6IQAAAAAN0XohDhrOrc", **extra}
    if user is not None:
        fields["user"] = user if isinstance(user, str) else json.dumps(user, ensure_ascii=False, separators=(",", ":"))
    lines = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(key, lines.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields, quote_via=quote)


def refused(init_data: str, token: str = TOKEN, now: datetime = NOW) -> str:
    with pytest.raises(InitDataError) as caught:
        verify_init_data(init_data, token, now)
    return caught.value.reason


def test_a_signed_init_data_names_its_user() -> None:
    assert verify_init_data(signed(), TOKEN, NOW) == MiniAppUser(
        id="279058397",
        first_name="Vladislav",
        last_name="Kibenko",
        username="vdkfrost",
        language_code="ru",
        auth_date=NOW,
    )


def test_a_chinese_name_is_url_encoded_and_checked_decoded() -> None:
    init_data = signed(user={"id": 42, "first_name": "李娜 + 王", "language_code": "zh-hans"})
    assert "%E6%9D%8E" in init_data and "%2B" in init_data  # as sent: UTF-8 percent-encoded, '+' kept apart
    user = verify_init_data(init_data, TOKEN, NOW)
    assert (user.id, user.first_name, user.last_name, user.username) == ("42", "李娜 + 王", None, None)


def test_published_vectors_verify() -> None:
    """Two initData strings signed by Telegram, published with their bot tokens (the Telegram Mini Apps
    community docs, docs.telegram-mini-apps.com, and its init-data-golang README): independent of the
    signer above. The second carries Bot API 8.0's ``signature``, which the hash covers."""
    classic = (
        "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22"
        "%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22"
        "%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648"
        "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
    )
    user = verify_init_data(classic, "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8", _at(1662771648))
    assert (user.id, user.username) == ("279058397", "vdkfrost")
    with_signature = (
        "user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%20%2B%20-%20%3F%20%5C%2F%22%2C"
        "%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C"
        "%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2F"
        "t.me%5C%2Fi%5C%2Fuserpic%5C%2F320%5C%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%7D"
        "&chat_instance=8134722200314281151&chat_type=private&auth_date=1733509682"
        "&signature=TYJxVcisqbWjtodPepiJ6ghziUL94-KNpG8Pau-X7oNNLNBM72APCpi_RKiUlBvcqo5L-LAxIc3dnTzcZX_PDg"
        "&hash=a433d8f9847bd6addcc563bff7cc82c89e97ea0d90c11fe5729cae6796a36d73"
    )
    token = "7342037359:AAHI25ES9xCOMPokpYoz-p8XVrZUdygo2J4"
    user = verify_init_data(with_signature, token, _at(1733509682))
    assert user.first_name == "Vladislav + - ? /"  # '+' was %2B, the JSON's "\/" is "/"
    without = "&".join(field for field in with_signature.split("&") if not field.startswith("signature="))
    assert refused(without, token, _at(1733509682)) == "bad signature"


def test_the_signature_field_is_part_of_what_the_hash_covers() -> None:
    init_data = signed(signature="c2lnbmVk")
    assert verify_init_data(init_data, TOKEN, NOW).id == "279058397"
    assert refused(init_data.replace("signature=c2lnbmVk", "signature=b3RoZXI")) == "bad signature"
    assert refused(init_data.replace("signature=c2lnbmVk&", "")) == "bad signature"


def test_a_forged_hash_is_refused() -> None:
    init_data = signed()
    forged = init_data[: init_data.index("hash=") + 5] + "0" * 64
    assert refused(forged) == "bad signature"
    assert refused(init_data[: init_data.index("hash=") + 5] + "not-hex") == "bad signature"


def test_a_tampered_user_is_refused() -> None:
    init_data = signed()
    assert "279058397" in init_data
    assert refused(init_data.replace("279058397", "279058398")) == "bad signature"
    assert refused(init_data.replace("vdkfrost", "admin")) == "bad signature"


def test_another_bots_token_does_not_verify() -> None:
    assert refused(signed(token="654321:OTHER-token")) == "bad signature"


def test_a_stale_or_future_init_data_is_refused() -> None:
    assert verify_init_data(signed(at=NOW - MAX_AGE), TOKEN, NOW).id == "279058397"  # just in time
    assert refused(signed(at=NOW - MAX_AGE - timedelta(seconds=1))) == "stale"
    assert refused(signed(at=NOW - timedelta(days=2))) == "stale"
    assert verify_init_data(signed(at=NOW + timedelta(seconds=30)), TOKEN, NOW).id == "279058397"  # clock skew
    assert refused(signed(at=NOW + timedelta(minutes=5))) == "from the future"
    assert verify_init_data(signed(at=NOW - timedelta(days=2)), TOKEN, NOW, max_age=timedelta(days=3))


def test_a_missing_hash_or_auth_date_is_refused() -> None:
    init_data = signed()
    assert refused(init_data[: init_data.index("&hash=")]) == "missing hash"
    assert refused(init_data[: init_data.index("hash=") + 5]) == "missing hash"
    assert refused(_signed_fields({"query_id": "q", "user": json.dumps(USER)})) == "missing auth_date"


@pytest.mark.parametrize("auth_date", ["-5", "1.5", "１７６５", "999999999999", "99999999999999999999"])
def test_a_signed_but_unreadable_auth_date_is_refused(auth_date: str) -> None:
    assert refused(_signed_fields({"auth_date": auth_date, "user": json.dumps(USER)})) == "malformed"


def test_oversized_input_is_refused_before_it_is_read() -> None:
    assert refused(signed(user={**USER, "last_name": "x" * 5000})) == "too large"
    assert refused("a=" + "b" * 5000) == "too large"


def test_duplicate_fields_are_refused() -> None:
    init_data = signed()
    assert refused(init_data + "&user=%7B%22id%22%3A1%2C%22first_name%22%3A%22x%22%7D") == "duplicate field"
    assert refused("auth_date=1&" + init_data) == "duplicate field"


def test_malformed_input_is_refused() -> None:
    assert refused("no equals sign") == "malformed"
    assert refused(signed() + "&name=%FF%FE") == "malformed"  # not UTF-8
    assert refused("&".join(f"k{i}=v" for i in range(40))) == "malformed"  # too many fields


@pytest.mark.parametrize(
    "user",
    [
        None,
        "not json",
        "[1, 2]",
        {"first_name": "No id"},
        {"id": "42", "first_name": "x"},
        {"id": True, "first_name": "x"},
        {"id": 42},
    ],
)
def test_a_signed_but_malformed_user_is_refused(user: object) -> None:
    assert refused(signed(user=user)) == "malformed user"


def test_a_naive_now_or_no_token_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        verify_init_data(signed(), TOKEN, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="token"):
        verify_init_data(signed(), "", NOW)


def _signed_fields(fields: dict[str, str]) -> str:
    """Exactly ``fields``, signed with ``TOKEN`` (for the fields ``signed`` always adds)."""
    lines = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    return urlencode({**fields, "hash": hmac.new(key, lines.encode(), hashlib.sha256).hexdigest()})


def _at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC) + timedelta(seconds=5)
