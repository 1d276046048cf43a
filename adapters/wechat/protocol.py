"""WeChat Official Account wire protocol: signatures, pushed XML, passive replies and safe mode.

Pure functions over bytes and strings: no I/O, no SDK. The rules follow the official docs:
- push and signature: https://developers.weixin.qq.com/doc/service/guide/dev/push
- messages: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
- events: https://developers.weixin.qq.com/doc/service/guide/product/message/Receiving_event_pushes.html
- passive reply: https://developers.weixin.qq.com/doc/service/guide/product/message/Passive_user_reply_message.html
- safe mode: https://developers.weixin.qq.com/doc/service/guide/dev/push/encryption
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAX_BODY = 64 * 1024  # bytes of XML accepted (parse raises BadMessage above it)

_DIGITS = re.compile(r"[0-9]+")
_MAX_CREATE_TIME = 2**63 - 1  # a 64-bit timestamp in seconds
_MAX_CREATE_TIME_DIGITS = 19  # checked before int(), which refuses strings of over 4300 digits
_MAX_MSG_ID_DIGITS = 20  # MsgId is a 64-bit integer: at most 20 decimal digits
# what XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): C0 controls but \t \n \r,
# lone surrogates, U+FFFE and U+FFFF
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")
_AES_KEY_ERROR = "WECHAT_AES_KEY must be 43 characters of base64"
_PAD_BLOCK = 32  # safe mode pads PKCS#7-style to a multiple of 32 bytes, not AES's 16
_RANDOM_PREFIX = 16
_LENGTH_FIELD = struct.Struct(">I")  # the message length: 4 bytes, network (big-endian) order


class BadMessage(ValueError):
    """A request body WeChat would never send; str(err) is a short reason."""


def sign(*parts: str) -> str:
    """sha1 hex of the parts sorted lexicographically and joined (signature and msg_signature).

    https://developers.weixin.qq.com/doc/service/guide/dev/push (第二步: 字典序排序, 拼接, sha1)
    """
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _same(expected: str, given: str) -> bool:
    """Constant-time equality; bytes, so that a non-ASCII signature is unequal instead of a TypeError."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def check_signature(token: str, signature: str | None, timestamp: str | None, nonce: str | None) -> bool:
    """Whether signature is sign(token, timestamp, nonce); a missing value is never valid.

    Checked on the GET that verifies the URL and on every POST push: https://developers.weixin.qq.com/doc/service/guide/dev/push
    """
    if signature is None or timestamp is None or nonce is None:
        return False
    return _same(sign(token, timestamp, nonce), signature)


@dataclass(frozen=True)
class Inbound:
    """One pushed message or event, as the fields of its XML (see parse for the docs)."""

    to_user: str  # ToUserName: the account's original id (gh_…)
    from_user: str  # FromUserName: the attendee's OpenID
    create_time: int  # CreateTime
    msg_type: str  # MsgType as sent: "text", "event", "image", "voice", "location", "link", ...
    content: str = ""  # Content of a text message ("" otherwise)
    msg_id: str | None = None  # MsgId (messages)
    event: str | None = None  # Event lower-cased: "subscribe", "unsubscribe", "click", "view", "scan", ...
    event_key: str | None = None  # EventKey ("qrscene_…" for a subscribe by QR is kept as sent)
    menu_id: str | None = None  # bizmsgmenuid, when the text came from a tapped menu link in a message

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime (+ Event) for events, as the docs recommend.

        https://developers.weixin.qq.com/doc/service/guide/product/message/Receiving_event_pushes.html
        (排重: MsgId for messages, FromUserName + CreateTime for events; the Event is added here
        because CreateTime has one-second resolution, which is not in the docs).
        """
        if self.msg_id is not None:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}:{self.event or ''}:{self.event_key or ''}"


def _root(body: bytes) -> Element:
    """The <xml> root of a pushed body, or BadMessage: size, UTF-8, well-formed, no DTD or entities."""
    if len(body) > MAX_BODY:
        raise BadMessage(f"body over {MAX_BODY} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("body is not UTF-8") from None
    try:
        root: Element = defusedxml.ElementTree.fromstring(text, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise BadMessage("DTD or entity in XML") from None
    except ParseError:
        raise BadMessage("body is not XML") from None
    if root.tag != "xml":
        raise BadMessage("root element is not <xml>")
    return root


def _field(root: Element, name: str) -> str | None:
    """A child's text without surrounding whitespace; None when absent or empty."""
    text = root.findtext(name)
    if text is None or not text.strip():
        return None
    return text.strip()


def _required(root: Element, name: str) -> str:
    """A field every push carries, or BadMessage."""
    text = _field(root, name)
    if text is None:
        raise BadMessage(f"{name} missing or empty")
    return text


def _create_time(root: Element) -> int:
    """CreateTime: a whole number of seconds (整型), or BadMessage."""
    text = _required(root, "CreateTime")
    if not _DIGITS.fullmatch(text) or len(text) > _MAX_CREATE_TIME_DIGITS or int(text) > _MAX_CREATE_TIME:
        raise BadMessage("CreateTime is not an integer")
    return int(text)


def _msg_id(root: Element) -> str | None:
    """MsgId (64位整型) kept as its digits; None when absent, BadMessage when not digits."""
    text = root.findtext("MsgId")
    if text is None:
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text) or len(text) > _MAX_MSG_ID_DIGITS:
        raise BadMessage("MsgId is not digits")
    return text


def parse(body: bytes) -> Inbound:
    """The message or event in a plaintext push body (or a safe-mode body once decrypted).

    BadMessage for: over MAX_BODY, not UTF-8, not XML, a DTD or entities, root not <xml>, a missing or
    empty ToUserName/FromUserName/MsgType, CreateTime not an integer, MsgId present but not digits.
    Content is kept exactly as sent; the other fields lose surrounding whitespace.
    Fields: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
    and https://developers.weixin.qq.com/doc/service/guide/product/message/Receiving_event_pushes.html
    """
    root = _root(body)
    msg_type = _required(root, "MsgType")
    event = _field(root, "Event")
    return Inbound(
        to_user=_required(root, "ToUserName"),
        from_user=_required(root, "FromUserName"),
        create_time=_create_time(root),
        msg_type=msg_type,
        content=(root.findtext("Content") or "") if msg_type == "text" else "",
        msg_id=_msg_id(root),
        event=event.lower() if event is not None else None,
        event_key=_field(root, "EventKey"),
        menu_id=_field(root, "bizmsgmenuid"),
    )


def encrypted_field(body: bytes) -> str:
    """The <Encrypt> text of a safe-mode POST body; BadMessage if absent (same size/XML checks as parse).

    https://developers.weixin.qq.com/doc/service/guide/dev/push/encryption
    """
    return _required(_root(body), "Encrypt")


def _cdata(text: str) -> str:
    """text as CDATA: characters XML 1.0 cannot carry dropped, each ']]>' split across two sections."""
    kept = _NOT_XML_CHAR.sub("", text)
    return "<![CDATA[" + kept.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """The passive text reply XML: to_user is the attendee's OpenID, from_user the account's gh_ id.

    https://developers.weixin.qq.com/doc/service/guide/product/message/Passive_user_reply_message.html (回复文本消息)
    """
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


def _aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AESKey = Base64_Decode(EncodingAESKey + "="), or ValueError for a bad key.

    https://developers.weixin.qq.com/doc/oplatform/en/Third-party_Platforms/Message_Encryption/Technical_Plan.html
    """
    if not _AES_KEY.fullmatch(encoding_aes_key):
        raise ValueError(_AES_KEY_ERROR)
    return base64.b64decode(encoding_aes_key + "=", validate=True)


def _pad(data: bytes) -> bytes:
    """PKCS#7 padding to a multiple of 32 bytes (1 to 32 bytes, each holding the count)."""
    count = _PAD_BLOCK - len(data) % _PAD_BLOCK
    return data + bytes([count]) * count


def _unpad(data: bytes) -> bytes:
    """data without its 32-byte-block PKCS#7 padding, or BadMessage."""
    count = data[-1] if data else 0
    if not 1 <= count <= _PAD_BLOCK or count > len(data) or data[-count:] != bytes([count]) * count:
        raise BadMessage("bad padding")
    return data[:-count]


class SafeMode:
    """安全模式: AES-256-CBC with the 43-character EncodingAESKey (base64 of the 32-byte key plus '='),
    IV = the key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes,
    plaintext = 16 random bytes + 4-byte big-endian length + message + AppID.

    https://developers.weixin.qq.com/doc/service/guide/dev/push/encryption
    """

    def __init__(self, token: str, aes_key: str, app_id: str) -> None:
        self._token = token
        self._key = _aes_key(aes_key)
        self._app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher[modes.CBC]:
        """AES-256-CBC with IV = the key's first 16 bytes."""
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def check(self, msg_signature: str | None, timestamp: str | None, nonce: str | None, encrypted: str) -> bool:
        """Whether msg_signature is sign(token, timestamp, nonce, encrypted); a missing value is never valid."""
        if msg_signature is None or timestamp is None or nonce is None:
            return False
        return _same(sign(self._token, timestamp, nonce, encrypted), msg_signature)

    def decrypt(self, encrypted: str) -> bytes:
        """The inner XML of an <Encrypt> value; BadMessage for bad base64, padding or length, or another AppID.

        Unauthenticated CBC: call check() first, so that nothing here answers a forger.
        """
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise BadMessage("Encrypt is not base64") from None
        if not ciphertext or len(ciphertext) % 16:
            raise BadMessage("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(ciphertext) + decryptor.finalize())[_RANDOM_PREFIX:]
        if len(plain) < _LENGTH_FIELD.size:
            raise BadMessage("bad length")
        (length,) = _LENGTH_FIELD.unpack_from(plain)
        message_end = _LENGTH_FIELD.size + length
        if message_end > len(plain):
            raise BadMessage("bad length")
        if not hmac.compare_digest(plain[message_end:], self._app_id):
            raise BadMessage("AppID is not ours")
        return plain[_LENGTH_FIELD.size : message_end]

    def _encrypt_field(self, message: bytes, random16: bytes) -> str:
        """base64(AES(random16 + length + message + AppID)), as the <Encrypt> value."""
        plain = _pad(random16 + _LENGTH_FIELD.pack(len(message)) + message + self._app_id)
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def encrypt(self, xml: str, timestamp: str, nonce: str, *, random16: bytes | None = None) -> str:
        """The encrypted reply envelope for a passive reply xml, signed over its own timestamp and nonce.

        <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>: https://developers.weixin.qq.com/doc/service/guide/dev/push/encryption
        """
        if random16 is None:
            random16 = secrets.token_bytes(_RANDOM_PREFIX)
        if len(random16) != _RANDOM_PREFIX:
            raise ValueError("random16 must be 16 bytes")
        encrypted = self._encrypt_field(xml.encode("utf-8"), random16)
        signature = sign(self._token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{escape(timestamp)}</TimeStamp>"
            f"<Nonce>{_cdata(nonce)}</Nonce></xml>"
        )
