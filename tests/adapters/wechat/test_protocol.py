"""The WeChat wire protocol: signatures, pushed XML, the passive text reply and safe mode."""

from __future__ import annotations

import base64
import hashlib
import struct
import xml.etree.ElementTree as ET

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from adapters.wechat.protocol import (
    MAX_BODY,
    BadMessage,
    Inbound,
    SafeMode,
    check_signature,
    encrypted_field,
    parse,
    sign,
    text_reply,
)

# the official WXBizMsgCrypt sample code's key (all five languages use it)
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN = "confbot-token"
APP_ID = "wx0123456789abcdef"


def push(*fields: str, root: str = "xml") -> bytes:
    """A push body with the given child elements."""
    return f"<{root}>{''.join(fields)}</{root}>".encode()


TEXT = (
    "<ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>",
    "<FromUserName><![CDATA[oUser_Open-Id]]></FromUserName>",
    "<CreateTime>1348831860</CreateTime>",
    "<MsgType><![CDATA[text]]></MsgType>",
    "<Content><![CDATA[ this is a test\n]]></Content>",
    "<MsgId>1234567890123456</MsgId>",
)


def replace(fields: tuple[str, ...], tag: str, element: str | None) -> tuple[str, ...]:
    """fields with the element named tag replaced (None: removed)."""
    kept = [field for field in fields if not field.startswith(f"<{tag}>")]
    return (*kept, element) if element is not None else tuple(kept)


# --- signatures ---------------------------------------------------------------------------------


def test_sign_is_sha1_of_the_sorted_joined_parts() -> None:
    expected = hashlib.sha1("".join(sorted(["tok", "1714036504", "nonce-b"])).encode()).hexdigest()
    assert sign("tok", "1714036504", "nonce-b") == expected
    assert sign("nonce-b", "tok", "1714036504") == expected


def test_sign_matches_the_docs_worked_example() -> None:
    # Token AAAAA, timestamp 1714036504, nonce 1514711492 (the message-push doc's example)
    assert sign("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"


def test_check_signature_accepts_the_right_signature() -> None:
    assert check_signature("AAAAA", "f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492")


@pytest.mark.parametrize(
    ("signature", "timestamp", "nonce"),
    [
        ("f464b24fc39322e44b38aa78f5edd27bd1441697", "1714036504", "1514711492"),  # one digit off
        ("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036505", "1514711492"),  # other timestamp
        ("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711493"),  # other nonce
        ("", "1714036504", "1514711492"),
        ("签名", "1714036504", "1514711492"),  # not ASCII: unequal, not a TypeError
        (None, "1714036504", "1514711492"),
        ("f464b24fc39322e44b38aa78f5edd27bd1441696", None, "1514711492"),
        ("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", None),
    ],
)
def test_check_signature_refuses_anything_else(signature: str | None, timestamp: str | None, nonce: str | None) -> None:
    assert not check_signature("AAAAA", signature, timestamp, nonce)


# --- parsing pushes -----------------------------------------------------------------------------


def test_parse_text_message() -> None:
    message = parse(push(*TEXT))
    assert message == Inbound(
        to_user="gh_0123456789ab",
        from_user="oUser_Open-Id",
        create_time=1348831860,
        msg_type="text",
        content=" this is a test\n",  # kept as sent
        msg_id="1234567890123456",
    )
    assert message.dedupe_key == "msg:1234567890123456"


def test_parse_reads_cjk_and_an_xml_declaration() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + push(*replace(TEXT, "Content", "<Content>你好，会场在哪？</Content>")).decode()
    ).encode()
    assert parse(body).content == "你好，会场在哪？"


def test_parse_keeps_the_content_of_text_only() -> None:
    image = replace(TEXT, "MsgType", "<MsgType><![CDATA[image]]></MsgType>")
    assert parse(push(*image)).content == ""
    assert parse(push(*image)).msg_type == "image"


def test_parse_subscribe_by_qr_code() -> None:
    message = parse(
        push(
            "<ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>",
            "<FromUserName><![CDATA[oUser]]></FromUserName>",
            "<CreateTime>123456789</CreateTime>",
            "<MsgType><![CDATA[event]]></MsgType>",
            "<Event><![CDATA[subscribe]]></Event>",
            "<EventKey><![CDATA[qrscene_123123]]></EventKey>",
            "<Ticket><![CDATA[TICKET]]></Ticket>",
        )
    )
    assert message.msg_type == "event"
    assert message.event == "subscribe"
    assert message.event_key == "qrscene_123123"
    assert message.msg_id is None
    assert message.dedupe_key == "event:oUser:123456789:subscribe:qrscene_123123"


def test_parse_menu_click_lower_cases_the_event_and_keeps_the_key() -> None:
    message = parse(
        push(
            "<ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>",
            "<FromUserName><![CDATA[oUser]]></FromUserName>",
            "<CreateTime>123456789</CreateTime>",
            "<MsgType><![CDATA[event]]></MsgType>",
            "<Event><![CDATA[CLICK]]></Event>",
            "<EventKey><![CDATA[AGENDA_Today]]></EventKey>",
        )
    )
    assert (message.event, message.event_key) == ("click", "AGENDA_Today")
    assert message.dedupe_key == "event:oUser:123456789:click:AGENDA_Today"


def test_events_in_the_same_second_have_different_dedupe_keys() -> None:
    base = (
        "<ToUserName>gh_1</ToUserName>",
        "<FromUserName>oUser</FromUserName>",
        "<CreateTime>1</CreateTime>",
        "<MsgType>event</MsgType>",
    )
    follow = parse(push(*base, "<Event>subscribe</Event>"))
    click = parse(push(*base, "<Event>CLICK</Event>", "<EventKey>k</EventKey>"))
    assert follow.dedupe_key != click.dedupe_key
    assert follow.event_key is None


def test_parse_plain_subscribe_with_an_empty_event_key() -> None:
    message = parse(
        push(
            "<ToUserName>gh_1</ToUserName>",
            "<FromUserName>oUser</FromUserName>",
            "<CreateTime>1</CreateTime>",
            "<MsgType>event</MsgType>",
            "<Event>subscribe</Event>",
            "<EventKey><![CDATA[]]></EventKey>",
        )
    )
    assert message.event_key is None


def test_parse_reads_bizmsgmenuid() -> None:
    tapped = replace(TEXT, "Content", "<Content><![CDATA[满意]]></Content>") + ("<bizmsgmenuid>101</bizmsgmenuid>",)
    message = parse(push(*tapped))
    assert (message.content, message.menu_id) == ("满意", "101")
    assert parse(push(*TEXT)).menu_id is None


def test_parse_drops_whitespace_around_identifiers() -> None:
    pretty = (
        "<ToUserName>\n  <![CDATA[gh_1]]>\n</ToUserName>",
        "<FromUserName> oUser </FromUserName>",
        "<CreateTime> 7 </CreateTime>",
        "<MsgType>  <![CDATA[text]]></MsgType>",
        "<MsgId> 42 </MsgId>",
    )
    message = parse(push(*pretty))
    assert (message.to_user, message.from_user, message.create_time, message.msg_type, message.msg_id) == (
        "gh_1",
        "oUser",
        7,
        "text",
        "42",
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content></xml>"""

BARE_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xml>
<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType></xml>"""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"x" * (MAX_BODY + 1), "over"),
        (push(*TEXT).replace(b"this is", b"th\xffis is"), "UTF-8"),
        (b"", "not XML"),
        (b"success", "not XML"),
        (b'{"MsgType": "text"}', "not XML"),
        (push(*TEXT)[:-3], "not XML"),
        (BILLION_LAUGHS, "DTD or entity"),
        (EXTERNAL_ENTITY, "DTD or entity"),
        (BARE_DTD, "DTD or entity"),
        (push(*TEXT, root="message"), "root"),
        (push(*replace(TEXT, "ToUserName", None)), "ToUserName"),
        (push(*replace(TEXT, "ToUserName", "<ToUserName><![CDATA[]]></ToUserName>")), "ToUserName"),
        (push(*replace(TEXT, "FromUserName", None)), "FromUserName"),
        (push(*replace(TEXT, "FromUserName", "<FromUserName>  </FromUserName>")), "FromUserName"),
        (push(*replace(TEXT, "MsgType", None)), "MsgType"),
        (push(*replace(TEXT, "MsgType", "<MsgType/>")), "MsgType"),
        (push(*replace(TEXT, "CreateTime", None)), "CreateTime"),
        (push(*replace(TEXT, "CreateTime", "<CreateTime>soon</CreateTime>")), "CreateTime"),
        (push(*replace(TEXT, "CreateTime", "<CreateTime>-5</CreateTime>")), "CreateTime"),
        (push(*replace(TEXT, "CreateTime", "<CreateTime>1.5</CreateTime>")), "CreateTime"),
        (push(*replace(TEXT, "CreateTime", "<CreateTime>١٢٣</CreateTime>")), "CreateTime"),  # not ASCII digits
        (push(*replace(TEXT, "CreateTime", f"<CreateTime>{'9' * 5000}</CreateTime>")), "CreateTime"),
        (push(*replace(TEXT, "MsgId", "<MsgId>12ab</MsgId>")), "MsgId"),
        (push(*replace(TEXT, "MsgId", "<MsgId></MsgId>")), "MsgId"),
        (push(*replace(TEXT, "MsgId", f"<MsgId>{'1' * 21}</MsgId>")), "MsgId"),
    ],
)
def test_parse_refuses_what_wechat_never_sends(body: bytes, reason: str) -> None:
    with pytest.raises(BadMessage, match=reason):
        parse(body)


def test_parse_accepts_a_body_of_exactly_max_body() -> None:
    body = push(*TEXT)
    padded = body[:-6] + b" " * (MAX_BODY - len(body)) + body[-6:]
    assert len(padded) == MAX_BODY
    assert parse(padded).msg_id == "1234567890123456"


def test_bad_message_is_a_value_error_with_a_short_reason() -> None:
    with pytest.raises(ValueError) as caught:
        parse(b"<nope/>")
    assert isinstance(caught.value, BadMessage)
    assert len(str(caught.value)) < 60


def test_encrypted_field_reads_the_encrypt_text() -> None:
    body = push("<ToUserName><![CDATA[gh_1]]></ToUserName>", "<Encrypt><![CDATA[abc+/=]]></Encrypt>")
    assert encrypted_field(body) == "abc+/="


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (push("<ToUserName>gh_1</ToUserName>"), "Encrypt"),
        (push("<Encrypt></Encrypt>"), "Encrypt"),
        (b"<xml><Encrypt>", "not XML"),
        (BILLION_LAUGHS, "DTD or entity"),
        (b"<x><Encrypt>abc</Encrypt></x>", "root"),
        (b"<xml><Encrypt>" + b"A" * MAX_BODY + b"</Encrypt></xml>", "over"),
    ],
)
def test_encrypted_field_refuses_bodies_without_it(body: bytes, reason: str) -> None:
    with pytest.raises(BadMessage, match=reason):
        encrypted_field(body)


# --- the passive text reply ---------------------------------------------------------------------


def read_reply(xml: str) -> dict[str, str]:
    """The reply's child elements by tag, read with the standard library's parser."""
    root = ET.fromstring(xml)
    assert root.tag == "xml"
    return {child.tag: child.text or "" for child in root}


def test_text_reply_has_the_documented_fields_in_order() -> None:
    xml = text_reply("oUser", "gh_1", "hello", 1700000000)
    assert xml.startswith("<xml><ToUserName><![CDATA[oUser]]></ToUserName>")
    assert list(read_reply(xml).items()) == [
        ("ToUserName", "oUser"),
        ("FromUserName", "gh_1"),
        ("CreateTime", "1700000000"),
        ("MsgType", "text"),
        ("Content", "hello"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        "a]]>b",
        "]]>",
        "]]>]]>x]]",
        "<b>&amp; not markup</b>",
        "你好，第二会场\n14:00 — 主题演讲",
        "emoji 🎤 and tabs\tstay",
        "",
    ],
)
def test_text_reply_round_trips_content(content: str) -> None:
    assert read_reply(text_reply("oUser", "gh_1", content, 1))["Content"] == content


def test_text_reply_drops_characters_xml_cannot_carry() -> None:
    xml = text_reply("oUser", "gh_1", "a\x00b\x07c\x1bd\ufffee\uffff\ud800f\tg\nh", 1)
    assert read_reply(xml)["Content"] == "abcdef\tg\nh"


def test_text_reply_parses_back_as_a_push() -> None:
    message = parse(text_reply("oUser", "gh_1", "见 ]]> 后", 5).encode())
    assert (message.to_user, message.from_user, message.create_time, message.content) == (
        "oUser",
        "gh_1",
        5,
        "见 ]]> 后",
    )


# --- safe mode ----------------------------------------------------------------------------------


def sample_key_bytes() -> bytes:
    return base64.b64decode(SAMPLE_KEY + "=")


def independent_decrypt(encrypted: str, key: bytes) -> tuple[bytes, bytes]:
    """(message, AppID) of an <Encrypt> value, decrypted here with cryptography's primitives."""
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    pad = plain[-1]
    assert 1 <= pad <= 32 and plain.endswith(bytes([pad]) * pad)
    assert len(plain) % 32 == 0
    body = plain[16:-pad]
    (length,) = struct.unpack(">I", body[:4])
    return body[4 : 4 + length], body[4 + length :]


def independent_encrypt(plain: bytes, key: bytes) -> str:
    """An <Encrypt> value for an already laid-out and padded plaintext."""
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def test_encrypt_makes_the_documented_read_reply() -> None:
    safe = SafeMode(TOKEN, SAMPLE_KEY, APP_ID)
    reply = text_reply("oUser", "gh_1", "你好 ]]>", 9)
    fields = read_reply(safe.encrypt(reply, "1409304348", "nonce1"))
    assert list(fields) == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]
    assert (fields["TimeStamp"], fields["Nonce"]) == ("1409304348", "nonce1")
    assert fields["MsgSignature"] == sign(TOKEN, "1409304348", "nonce1", fields["Encrypt"])
    assert independent_decrypt(fields["Encrypt"], sample_key_bytes()) == (reply.encode(), APP_ID.encode())


def test_encrypt_then_decrypt_round_trips() -> None:
    safe = SafeMode(TOKEN, SAMPLE_KEY, APP_ID)
    for reply in ("", "x", "a" * 31, "b" * 32, text_reply("oUser", "gh_1", "会场 " * 500, 1)):
        encrypted = read_reply(safe.encrypt(reply, "1", "n"))["Encrypt"]
        assert safe.decrypt(encrypted) == reply.encode()


def test_encrypt_uses_fresh_random_bytes_unless_given() -> None:
    safe = SafeMode(TOKEN, SAMPLE_KEY, APP_ID)
    assert safe.encrypt("<xml/>", "1", "n") != safe.encrypt("<xml/>", "1", "n")
    fixed = b"0123456789abcdef"
    assert safe.encrypt("<xml/>", "1", "n", random16=fixed) == safe.encrypt("<xml/>", "1", "n", random16=fixed)
    with pytest.raises(ValueError, match="16 bytes"):
        safe.encrypt("<xml/>", "1", "n", random16=b"short")


def test_decrypt_reads_an_independently_encrypted_push() -> None:
    inner = text_reply("gh_1", "oUser", "签到", 3).encode()
    plain = b"R" * 16 + struct.pack(">I", len(inner)) + inner + APP_ID.encode()
    pad = 32 - len(plain) % 32
    encrypted = independent_encrypt(plain + bytes([pad]) * pad, sample_key_bytes())
    assert SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(encrypted) == inner


def test_official_sample_ciphertext() -> None:
    # the official Java sample's test (WXBizMsgCryptTest): this key, AppID and random "aaaabbbbccccdddd"
    safe = SafeMode("pamtest", SAMPLE_KEY, "wxb11529c136998cb6")
    expected = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
    fields = read_reply(safe.encrypt("我是中文abcd123", "1409304348", "xxxxxx", random16=b"aaaabbbbccccdddd"))
    assert fields["Encrypt"] == expected
    assert safe.decrypt(expected) == "我是中文abcd123".encode()


SAMPLE_PUSH_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXp"
    "bUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlp"
    "Kn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD"
    "1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_official_sample_push_checks_and_decrypts() -> None:
    # the official samples' decrypt example: token "spamtest", AppID wx2c2769f8efd9abc2
    safe = SafeMode("spamtest", SAMPLE_KEY, "wx2c2769f8efd9abc2")
    body = push(
        "<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>", f"<Encrypt><![CDATA[{SAMPLE_PUSH_ENCRYPT}]]></Encrypt>"
    )
    encrypted = encrypted_field(body)
    assert safe.check("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", encrypted)
    message = parse(safe.decrypt(encrypted))
    assert (message.to_user, message.from_user, message.create_time) == (
        "gh_10f6c3c3ac5a",
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        1409735668,
    )
    assert (message.msg_type, message.content, message.msg_id) == ("text", "abcdteT", "6054768590064713728")


def test_check_refuses_a_wrong_or_missing_signature() -> None:
    safe = SafeMode(TOKEN, SAMPLE_KEY, APP_ID)
    good = sign(TOKEN, "100", "n", "ENC")
    assert safe.check(good, "100", "n", "ENC")
    assert not safe.check(good, "100", "n", "ENC2")
    assert not safe.check(good, "101", "n", "ENC")
    assert not safe.check(sign("other-token", "100", "n", "ENC"), "100", "n", "ENC")
    assert not safe.check("ü" * 40, "100", "n", "ENC")
    assert not safe.check(None, "100", "n", "ENC")
    assert not safe.check(good, None, "n", "ENC")
    assert not safe.check(good, "100", None, "ENC")


def test_decrypt_refuses_another_app_id() -> None:
    theirs = read_reply(SafeMode(TOKEN, SAMPLE_KEY, "wxSomeoneElse000").encrypt("<xml/>", "1", "n"))["Encrypt"]
    with pytest.raises(BadMessage, match="AppID"):
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(theirs)
    prefix = read_reply(SafeMode(TOKEN, SAMPLE_KEY, APP_ID[:-1]).encrypt("<xml/>", "1", "n"))["Encrypt"]
    with pytest.raises(BadMessage, match="AppID"):
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(prefix)


def test_decrypt_refuses_another_key() -> None:
    other_key = base64.b64encode(bytes(range(32))).decode().rstrip("=")
    encrypted = read_reply(SafeMode(TOKEN, other_key, APP_ID).encrypt("<xml/>", "1", "n"))["Encrypt"]
    with pytest.raises(BadMessage):
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(encrypted)


def test_decrypt_refuses_tampered_ciphertext() -> None:
    safe = SafeMode(TOKEN, SAMPLE_KEY, APP_ID)
    raw = bytearray(base64.b64decode(read_reply(safe.encrypt("<xml><a>1</a></xml>", "1", "n"))["Encrypt"]))
    raw[-1] ^= 0x01  # the last block decrypts to garbage, so its padding is wrong
    with pytest.raises(BadMessage):
        safe.decrypt(base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(
    ("encrypted", "reason"),
    [
        ("not base64!", "base64"),
        ("QUJD", "AES blocks"),  # 3 bytes
        ("", "AES blocks"),
    ],
)
def test_decrypt_refuses_what_is_not_ciphertext(encrypted: str, reason: str) -> None:
    with pytest.raises(BadMessage, match=reason):
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(encrypted)


def padded(plain: bytes) -> bytes:
    pad = 32 - len(plain) % 32
    return plain + bytes([pad]) * pad


@pytest.mark.parametrize(
    ("plain", "reason"),
    [
        (b"R" * 31 + b"\x00", "padding"),  # a pad count of 0
        (b"R" * 31 + b"\x21", "padding"),  # 33: more than a 32-byte block
        (b"R" * 30 + b"\x01\x02", "padding"),  # the pad bytes disagree
        (padded(b"R" * 16 + b"\x00\x01"), "length"),  # no room for the length field
        (padded(b"R" * 16 + struct.pack(">I", 1000) + b"<xml/>" + APP_ID.encode()), "length"),
        (padded(b"R" * 16 + struct.pack(">I", 6) + b"<xml/>"), "AppID"),  # no AppID at all
    ],
)
def test_decrypt_refuses_bad_plaintext_layouts(plain: bytes, reason: str) -> None:
    encrypted = independent_encrypt(plain, sample_key_bytes())
    with pytest.raises(BadMessage, match=reason):
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(encrypted)


@pytest.mark.parametrize(
    "key",
    [
        "",
        SAMPLE_KEY[:-1],  # 42 characters
        SAMPLE_KEY + "H",  # 44 characters
        SAMPLE_KEY[:-1] + "=",
        SAMPLE_KEY[:-1] + "-",
        SAMPLE_KEY[:-1] + "é",
        " " + SAMPLE_KEY[1:],
    ],
)
def test_safe_mode_refuses_a_bad_key(key: str) -> None:
    with pytest.raises(ValueError, match="WECHAT_AES_KEY must be 43 characters of base64"):
        SafeMode(TOKEN, key, APP_ID)


@given(st.binary(max_size=512))
def test_parse_either_reads_or_refuses_any_bytes(body: bytes) -> None:
    try:
        message = parse(body)
    except BadMessage:
        return
    assert message.to_user and message.from_user and message.msg_type


@given(st.text(max_size=200) | st.binary(max_size=256).map(lambda raw: base64.b64encode(raw).decode()))
def test_decrypt_either_reads_or_refuses_any_text(encrypted: str) -> None:
    try:
        SafeMode(TOKEN, SAMPLE_KEY, APP_ID).decrypt(encrypted)
    except BadMessage:
        return


def is_xml_char(ch: str) -> bool:
    """XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets)."""
    code = ord(ch)
    return ch in "\t\n\r" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


@given(st.text(max_size=300))
def test_text_reply_always_parses_and_keeps_every_xml_character(content: str) -> None:
    kept = "".join(ch for ch in content if is_xml_char(ch))
    # a parser reads every line break as \n (XML 1.0, 2.11 End-of-Line Handling)
    assert read_reply(text_reply("oUser", "gh_1", content, 1))["Content"] == kept.replace("\r\n", "\n").replace(
        "\r", "\n"
    )
